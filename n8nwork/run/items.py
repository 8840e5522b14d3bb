"""Item bookkeeping n8n does around every node run: input lineage stamps, inferred
``pairedItem`` on outputs, and the empty item of ``alwaysOutputData``."""

from __future__ import annotations

from n8nwork.run.data import Items


def stamp_input_lineage(data: list[Items | None]) -> list[Items | None]:
    """Copies of the input items with ``pairedItem`` pointing at their own input position."""
    out: list[Items | None] = []
    for input_index, items in enumerate(data):
        if items is None:
            out.append(None)
            continue
        if input_index:
            out.append(
                [
                    {**item, "pairedItem": {"item": i, "input": input_index}}
                    for i, item in enumerate(items)
                ]
            )
        else:
            out.append([{**item, "pairedItem": {"item": i}} for i, item in enumerate(items)])
    return out


def assign_paired_items(outputs: list[Items] | None, inputs: list[Items | None]) -> None:
    """Fill in ``pairedItem`` where a node left it out and n8n can infer it (in place)."""
    if not outputs:
        return
    for items in outputs:  # usually every item says where it came from: nothing to infer
        if items is not None:
            for item in items:
                if "pairedItem" not in item:
                    break
            else:
                continue
            break
    else:
        return
    first = inputs[0] if inputs else None
    single_in_out = len(inputs) == 1 and first is not None and len(first) == 1
    same_count = (
        len(outputs) == 1
        and len(inputs) == 1
        and first is not None
        and outputs[0] is not None
        and len(first) == len(outputs[0])
    )
    single_out = (
        len(outputs) == 1
        and outputs[0] is not None
        and len(outputs[0]) == 1
        and len(inputs) == 1
        and first is not None
        and len(first) > 1
    )
    for items in outputs:
        if items is None:
            continue
        for index, item in enumerate(items):
            if "pairedItem" in item:
                continue
            if single_in_out or single_out:
                item["pairedItem"] = {"item": 0}
            elif same_count:
                item["pairedItem"] = {"item": index}
            else:
                return


def always_output_item(inputs: list[Items | None]) -> Items:
    """The one empty item a node with ``alwaysOutputData`` emits, paired with all inputs."""
    paired = [
        {"item": i, "input": k}
        for k, items in enumerate(inputs)
        if items is not None
        for i in range(len(items))
    ]
    return [{"json": {}, "pairedItem": paired}]
