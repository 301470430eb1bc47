"""Ticket labels: the catch-all domain, the domain → department display map, label cleaning and
the folding of rare labels into the catch-all."""

from __future__ import annotations

from collections import Counter
from typing import Any

OTHER = "其他"

# Display names of the handling department for common 12345 domains. Labels that are already a
# department (the national ministries in MSGABench, e.g. 水利部) are shown as they are.
domain_to_department: dict[str, str] = {
    "城建": "住房和城乡建设部门",
    "交通": "交通运输部门",
    "教育": "教育部门",
    "政务": "政务服务管理部门",
    "企业": "市场监督管理部门",
    "治安": "公安部门",
    "环保": "生态环境部门",
    "就业": "人力资源和社会保障部门",
    "医疗": "卫生健康部门",
    "三农": "农业农村部门",
    "文娱": "文化和旅游部门",
    "旅游": "文化和旅游部门",
    "金融": "金融监督管理部门",
    "体育": "体育部门",
    "水利": "水务部门",
    "民政": "民政部门",
    "医保": "医疗保障部门",
    "应急": "应急管理部门",
    OTHER: "12345热线人工分办",
}


def department_for(domain: str) -> str:
    """Who handles a domain, for display: the mapped department, or the label itself."""
    return domain_to_department.get(domain, domain)


def clean_label(value: Any) -> str | None:
    """A label as training uses it: stripped text, or None for a missing or blank label."""
    if value is None:
        return None
    s = str(value).strip()
    return s or None


def fold_rare(labels: list[str], min_examples: int) -> tuple[list[str], dict[str, int]]:
    """Replace labels with fewer than `min_examples` occurrences by 其他 (a linear model cannot learn
    a class from two messages); return the new labels and the folded ones with their counts."""
    counts = Counter(labels)
    rare = {k: v for k, v in counts.items() if v < min_examples and k != OTHER}
    return [OTHER if y in rare else y for y in labels], rare
