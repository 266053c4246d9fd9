"""Reading scenario folders: encodings, products overrides, the sample, and round-trip of records."""

from __future__ import annotations

from pathlib import Path

import pytest

from coldchain.errors import InputError
from coldchain.scenario.read import SPECS, decode_bytes, read_scenario, read_table


@pytest.mark.unit
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_chinese_names_survive_every_excel_encoding(encoding: str, tiny_dir: Path) -> None:
    """sites.csv saved as UTF-8, UTF-8 with BOM, GB18030 or GBK reads to the same Chinese names."""
    path = tiny_dir / "sites.csv"
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.encode(encoding))
    s = read_scenario(tiny_dir)
    assert [x.name for x in s.sites] == ["灵山县共同配送中心", "新圩镇服务点", "荔香村", "红岭村"]
    assert s.sites[0].site_id == "HUB"  # a BOM must not stick to the first column name


@pytest.mark.unit
def test_utf16_is_refused_with_advice(tiny_dir: Path) -> None:
    """Excel's 'Unicode text' (UTF-16) gets a message saying how to save the file instead."""
    path = tiny_dir / "orders.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    with pytest.raises(InputError) as info:
        read_scenario(tiny_dir)
    assert str(info.value) == (
        "orders.csv: the file is saved as UTF-16 'Unicode text'; save it as 'CSV UTF-8 (comma delimited)'"
    )


@pytest.mark.unit
def test_undecodable_bytes_are_refused() -> None:
    """Bytes that are neither UTF-8 nor GB18030 give a clear ValueError, not mojibake."""
    with pytest.raises(ValueError, match="UTF-8 or GBK"):
        decode_bytes(b"\x81\x30\xff\xff")


@pytest.mark.unit
def test_line_numbers_count_quoted_newlines(tmp_path: Path) -> None:
    """A quoted cell spanning two lines shifts later line numbers as a spreadsheet shows them."""
    path = tmp_path / "orders.csv"
    path.write_text(
        "order_id,shipper,site_id,product_id,quantity_kg,ready_at\n"
        'O1,"two\nlines",V1,litchi,10,2026-06-15 07:00\n'
        "O2,x,V1,litchi,-1,2026-06-15 07:00\n",
        encoding="utf-8",
    )
    records, problems = read_table(path, SPECS["orders"])
    assert [r.order_id for r in records] == ["O1"]
    assert [str(p) for p in problems] == ["orders.csv:4:quantity_kg: must be greater than 0 (got -1)"]


@pytest.mark.unit
def test_blank_rows_and_notes_are_ignored(tiny_dir: Path) -> None:
    """Trailing all-empty rows (as Excel writes) are skipped, and a notes column is allowed."""
    path = tiny_dir / "orders.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[0] += ",notes"
    lines[1] += ",picked last evening"
    path.write_text("\n".join(lines) + "\n,,,,,,\n,,,,,,\n", encoding="utf-8")
    assert [o.order_id for o in read_scenario(tiny_dir).orders] == ["O1", "O2", "O3"]


@pytest.mark.unit
def test_header_only_orders_mean_no_pickups(tiny_dir: Path) -> None:
    """An orders file with only its header is a valid day with no pickups."""
    path = tiny_dir / "orders.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    assert read_scenario(tiny_dir).orders == ()


@pytest.mark.unit
def test_products_csv_overrides_defaults(tiny_dir: Path) -> None:
    """A scenario's products.csv replaces a default freshness model by id and may add new ones."""
    (tiny_dir / "products.csv").write_text(
        "product_id,name,temperature_class,freshness_window_h,max_out_of_cold_h,value_cny_per_kg\n"
        "litchi,荔枝(桂味),ambient,18,2,14\nmango,芒果,ambient,72,8,6\n",
        encoding="utf-8",
    )
    products = {p.product_id: p for p in read_scenario(tiny_dir).products}
    assert products["litchi"].freshness_window_h == 18
    assert products["litchi"].value_cny_per_kg == 14
    assert products["litchi"].precooled_window_h is None  # the override is whole, not merged
    assert products["mango"].line == 3
    assert products["raw_milk"].freshness_window_h == 4  # untouched default


@pytest.mark.unit
def test_every_problem_is_reported_together(tiny_dir: Path) -> None:
    """Problems in several files come back in one InputError, none dropped."""
    (tiny_dir / "orders.csv").write_text(
        "order_id,shipper,site_id,product_id,quantity_kg,ready_at\nO1,s,V1,litchi,-1,2026-06-15 07:00\n",
        encoding="utf-8",
    )
    (tiny_dir / "parcels.csv").write_text("company,site_id,parcel_count,weight_kg\nEMS,T1,x,5\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_scenario(tiny_dir)
    assert [str(p) for p in info.value.problems] == [
        "orders.csv:2:quantity_kg: must be greater than 0 (got -1)",
        "parcels.csv:2:parcel_count: expected a number (got x)",
    ]


@pytest.mark.unit
def test_not_a_folder(tmp_path: Path) -> None:
    """A path that is not a folder is one clear problem."""
    with pytest.raises(InputError, match="not a folder"):
        read_scenario(tmp_path / "nope")


@pytest.mark.unit
def test_sample_scenario_reads(sample_dir: Path) -> None:
    """The shipped Ling Shan sample is valid and as large as the README says."""
    s = read_scenario(sample_dir)
    assert sum(x.kind == "town" for x in s.sites) == 4
    assert sum(x.kind == "village" for x in s.sites) == 7
    assert len({p.company for p in s.parcels}) == 10
    assert {"raw_milk", "fresh_fish"} <= {o.product_id for o in s.orders}
    assert any(x.has_precooling for x in s.sites)
    assert any(v.reefer_capacity_kg > 0 for v in s.vehicles)
    assert any(v.reefer_capacity_kg == 0 for v in s.vehicles)
    # more pickup weight than the whole fleet can carry in one trip each
    assert sum(o.quantity_kg for o in s.orders) > sum(v.capacity_kg for v in s.vehicles)
