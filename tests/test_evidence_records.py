"""``Evidence`` keeps records in the order first written, each once, however they are given."""

from __future__ import annotations

from secreview_ls.engine.evidence import CallSeen, Evidence, SinkExamined, SourceSeen

A = SinkExamined("os.system()", 3, "runs a shell command")
B = SourceSeen("request.args", 2)
C = CallSeen("eval", 7, 4)


def test_records_from_a_dict_another_evidence_or_a_list_come_in_the_same_order() -> None:
    kinds = [[B, A, B, C], dict.fromkeys([B, A, C]), Evidence([B, A, C]), iter([B, A, C, A])]
    for given in kinds:
        assert list(Evidence(given)) == [B, A, C]


def test_extending_keeps_the_first_place_of_a_record_and_the_first_record_of_equals() -> None:
    first = SinkExamined("os.system()", 3, "runs a shell command")
    for extra in ([C, first, B], dict.fromkeys([C, first, B]), Evidence([C, first, B])):
        evidence = Evidence([A])
        evidence.extend(extra)
        assert list(evidence) == [A, C, B]
        assert next(iter(evidence)) is A  # the record written first is kept, not its equal


def test_a_copy_does_not_change_with_its_source() -> None:
    source = Evidence([A])
    copy = Evidence(source)
    source.add(B)
    assert list(copy) == [A] and list(source) == [A, B]
