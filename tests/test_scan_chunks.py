"""How a parallel scan splits the files among its workers."""

from __future__ import annotations

from pathlib import Path

from secreview_ls.pipeline.scan import SMALLEST_SHARE, _chunks


def _tree(tmp_path: Path, count: int, size: int = 100) -> list[Path]:
    files = []
    for index in range(count):
        path = tmp_path / f"pkg{index // 10}" / f"mod{index:04}.py"
        path.parent.mkdir(exist_ok=True)
        path.write_text("x = 1\n" * (size // 6 + index % 7))
        files.append(path)
    return files


def test_every_file_once_in_path_order_in_chunks_that_shrink(tmp_path: Path) -> None:
    files = _tree(tmp_path, 400)
    chunks = _chunks(list(reversed(files)), 2)
    assert [path for chunk in chunks for path in chunk] == sorted(files)
    bytes_of = [sum(path.stat().st_size for path in chunk) for chunk in chunks]
    total = sum(bytes_of)
    assert total / 4 * 0.9 <= bytes_of[0] <= total / 4  # a quarter of the bytes for the first worker
    assert bytes_of[0] > bytes_of[len(chunks) // 2] > 0
    smallest = total / (2 * SMALLEST_SHARE)
    largest_file = max(path.stat().st_size for path in files)
    assert all(size + largest_file > smallest for size in bytes_of[:-1])  # no run of one-file chunks at the end
    assert len(chunks) < 2 * SMALLEST_SHARE


def test_a_file_larger_than_a_chunk_is_a_chunk_of_its_own(tmp_path: Path) -> None:
    files = _tree(tmp_path, 20)
    big = tmp_path / "pkg0" / "mod0005.py"
    big.write_text("x = 1\n" * 10_000)
    chunks = _chunks(files, 2)
    assert [big] in chunks
    assert [path for chunk in chunks for path in chunk] == sorted(files)


def test_no_files_no_chunks() -> None:
    assert _chunks([], 2) == []
