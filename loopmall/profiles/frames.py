"""Import-bundle files (data contract) as warehouse-shaped frames: money in minor units, real booleans
and UTC timestamps. Used to score tags straight from a bundle (benchmarks, simulations) and on Spark."""

from __future__ import annotations

import json
from pathlib import Path

import ibis
import numpy as np
import pandas as pd

from loopmall.imports.base import find_file


def _minor(series: pd.Series) -> pd.Series:
    text = series.fillna("0").astype(str).str.strip().replace("", "0")
    parts = text.str.split(".", n=1, expand=True)
    whole = parts[0].astype(np.int64)
    fraction = (
        (parts[1].fillna("") if 1 in parts else pd.Series("", index=text.index)).str.ljust(2, "0").str[:2]
    )
    sign = np.where(text.str.startswith("-"), -1, 1)
    return whole * 100 + sign * fraction.replace("", "0").astype(np.int64)


def _flag(series: pd.Series, default: bool) -> pd.Series:
    text = series.fillna("").astype(str).str.strip().str.lower()
    return (
        text.map({"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False})
        .fillna(default)
        .astype(bool)
    )


def _time(series: pd.Series) -> pd.Series:
    # A time without an offset means Asia/Shanghai (data contract).
    parsed = pd.to_datetime(series, utc=False, format="ISO8601")
    if getattr(parsed.dt, "tz", None) is None:
        parsed = parsed.dt.tz_localize("Asia/Shanghai")
    return parsed.dt.tz_convert("UTC").dt.tz_localize(None)


def _read(directory: Path, stem: str) -> pd.DataFrame | None:
    path = find_file(directory, stem)
    if path is None:
        parquet = directory / f"{stem}.parquet"
        return pd.read_parquet(parquet) if parquet.exists() else None
    if ".jsonl" in path.name:
        return pd.read_json(path, lines=True, dtype=False)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def bundle_frames(directory: Path) -> dict[str, pd.DataFrame]:
    frames: dict[str, pd.DataFrame] = {}
    users = _read(directory, "users")
    if users is not None:
        frames["users"] = pd.DataFrame(
            {
                "user_id": users["user_id"].astype(str),
                "created_at": _time(users["created_at"]),
                "channel": users.get("channel", pd.Series("", index=users.index)).astype(str),
                "invited_by": users.get("invited_by", pd.Series("", index=users.index)).astype(str),
                "city": users.get("city", pd.Series("", index=users.index)).astype(str),
            }
        )
    products = _read(directory, "products")
    if products is not None:
        frames["products"] = pd.DataFrame(
            {
                "sku_id": products["sku_id"].astype(str),
                "product_id": products["product_id"].astype(str),
                "name": products["name"].astype(str),
                "category": products["category"].astype(str),
                "price_minor": _minor(products["price"]),
                "list_price_minor": _minor(products.get("list_price", products["price"])),
                "tier": products.get("tier", pd.Series("standard", index=products.index)).astype(str),
                "attributes": products.get("attributes", pd.Series("", index=products.index)).astype(str),
            }
        )
    orders = _read(directory, "orders")
    if orders is not None:
        blank = pd.Series("", index=orders.index)
        frames["orders"] = pd.DataFrame(
            {
                "order_id": orders["order_id"].astype(str),
                "user_id": orders["user_id"].astype(str),
                "placed_at": _time(orders["created_at"]),
                "status": orders["status"].astype(str),
                "channel": orders.get("channel", blank).astype(str),
                "total_minor": _minor(orders.get("total", blank)),
                "discount_minor": _minor(orders.get("discount", blank)),
                "coupon_code": orders.get("coupon_code", blank).astype(str),
                "group_buy_id": orders.get("group_buy_id", blank).astype(str),
                "ship_to_self": _flag(orders.get("ship_to_self", blank), True),
                "is_gift_wrapped": _flag(orders.get("gift_wrap", blank), False),
            }
        )
    items = _read(directory, "order_items")
    if items is not None:
        item_frame = pd.DataFrame(
            {
                "order_id": items["order_id"].astype(str),
                "sku_id": items["sku_id"].astype(str),
                "quantity": items["quantity"].astype(np.int64),
                "unit_price_minor": _minor(items["unit_price"]),
                "discount_minor": _minor(items.get("discount", pd.Series("", index=items.index))),
            }
        )
        if "products" in frames:
            item_frame = item_frame.merge(
                frames["products"][["sku_id", "product_id", "category", "tier"]], on="sku_id", how="left"
            )
        frames["order_items"] = item_frame
    events = _read(directory, "events")
    if events is not None:
        properties = (
            events.get("properties", pd.Series("{}", index=events.index)).astype(str).replace("", "{}")
        )
        parsed = properties.map(json.loads)
        frames["events"] = pd.DataFrame(
            {
                "event_id": events["event_id"].astype(str),
                "name": events["name"].astype(str),
                "occurred_at": _time(events["timestamp"]),
                "user_id": events.get("user_id", pd.Series("", index=events.index)).astype(str),
                "channel": events.get("channel", pd.Series("", index=events.index)).astype(str),
                "sku_id": parsed.map(lambda p: str(p.get("sku_id", "")) if isinstance(p, dict) else ""),
                "category": parsed.map(lambda p: str(p.get("category", "")) if isinstance(p, dict) else ""),
                "post_id": parsed.map(lambda p: str(p.get("post_id") or "") if isinstance(p, dict) else ""),
                "properties_json": properties,
            }
        )
    return frames


def load_frames(
    con: ibis.BaseBackend, frames: dict[str, pd.DataFrame], *, prefix: str = ""
) -> dict[str, ibis.Table]:
    return {
        name: con.create_table(f"{prefix}{name}", frame, overwrite=True) for name, frame in frames.items()
    }
