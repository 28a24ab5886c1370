"""The compiler directives of a larger input's JVM: the JVM reads all of them, they name code
that exists, and they leave Spark's generated classes and the per-row code to C2."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

import pyspark
import pytest

from etl.class_sharing import _java
from etl.jobs.build_warehouse import COMPILER_DIRECTIVES, LARGE_JAVA, large_java

PER_ROW_CLASSES = (
    "org/apache/spark/sql/catalyst/expressions/GeneratedClass$GeneratedIteratorForCodegenStage1",
    "org/apache/spark/sql/catalyst/expressions/GeneratedClass$SpecificUnsafeProjection",
    "org/apache/spark/sql/catalyst/expressions/GeneratedClass$SpecificColumnarIterator",
    "org/apache/spark/sql/catalyst/expressions/UnsafeRow",
    "org/apache/spark/sql/catalyst/expressions/codegen/UnsafeRowWriter",
    "org/apache/spark/sql/catalyst/csv/UnivocityParser",
    "org/apache/spark/unsafe/types/UTF8String",
    "org/apache/spark/util/collection/unsafe/sort/UnsafeExternalSorter",
    "org/apache/spark/sql/execution/window/WindowExec$$anon$1",
    "org/apache/spark/sql/execution/columnar/DefaultCachedBatchSerializer$$anon$1",
    "org/apache/spark/sql/execution/UnsafeRowSerializerInstance$$anon$2",
    "org/apache/spark/io/LZ4CompressionCodec",
    "org/xerial/snappy/Snappy",
    "org/apache/parquet/column/values/plain/PlainValuesWriter",
    "java/util/regex/Pattern$Curly",
    "java/lang/String",
)


def _patterns() -> list[str]:
    directives = json.loads(COMPILER_DIRECTIVES.read_text())
    assert [set(directive) for directive in directives] == [{"match", "c2"}]
    assert directives[0]["c2"] == {"Exclude": True}
    patterns: list[str] = directives[0]["match"]
    return patterns


def _class_prefix(pattern: str) -> str:
    """A pattern here is `<class name prefix>*.*`: every method of every class so named."""
    assert pattern.endswith("*.*"), pattern
    prefix = pattern.removesuffix("*.*")
    assert "*" not in prefix, pattern
    assert "." not in prefix, pattern
    return prefix


def _java_binary() -> Path:
    java = _java()
    if java is None:
        pytest.skip("no java")
    return java


def test_the_jvm_of_a_larger_input_reads_every_directive() -> None:
    java = str(_java_binary())
    quiet = subprocess.run([java, *large_java(), "-version"], capture_output=True, text=True)
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout == ""  # the JVM's note on the directives it read is not printed

    shown = subprocess.run(
        [java, *large_java(), "-XX:+DisplayVMOutput", "-XX:+CompilerDirectivesPrint", "-version"],
        capture_output=True,
        text=True,
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("1 compiler directives added")
    matching = next(line for line in shown.stdout.splitlines() if "matching:" in line)
    read = matching.split("matching:")[1].strip().split(", ")
    assert sorted(read) == sorted(_patterns())


def test_large_java_is_the_plain_options_without_a_usable_directives_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert large_java()[: len(LARGE_JAVA)] == LARGE_JAVA
    monkeypatch.setattr(
        "etl.jobs.build_warehouse.COMPILER_DIRECTIVES", tmp_path / "compiler_directives.json"
    )
    assert large_java() == LARGE_JAVA
    blank = tmp_path / "a folder"
    blank.mkdir()
    (blank / "compiler_directives.json").write_text(COMPILER_DIRECTIVES.read_text())
    monkeypatch.setattr(
        "etl.jobs.build_warehouse.COMPILER_DIRECTIVES", blank / "compiler_directives.json"
    )
    assert large_java() == LARGE_JAVA


def test_the_directives_leave_generated_and_per_row_code_to_c2() -> None:
    prefixes = [_class_prefix(pattern) for pattern in _patterns()]
    for name in PER_ROW_CLASSES:
        assert not [prefix for prefix in prefixes if name.startswith(prefix)], name


def test_every_directive_names_classes_spark_or_java_has() -> None:
    jars = Path(pyspark.__file__).parent / "jars"
    classes = [
        name
        for jar in jars.glob("*.jar")
        for name in zipfile.ZipFile(jar).namelist()
        if name.endswith(".class")
    ]
    for prefix in map(_class_prefix, _patterns()):
        if prefix.startswith(("java/", "jdk/", "sun/")):
            continue  # the JDK's own classes, in its module image
        assert any(name.startswith(prefix) for name in classes), prefix
