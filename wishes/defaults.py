"""Categories and time limits every portal starts with (a data migration loads them;
district administrators change them afterwards)."""

CATEGORIES = [
    # code, name, description, escalate when overdue
    ("lighting", "照明维修", "楼道灯、路灯损坏", True),
    ("accessibility", "无障碍设施", "坡道、扶手等无障碍改造", False),
    ("sanitation", "环境卫生", "垃圾清运、堆物清理", True),
    ("repairs", "设施维修", "门禁、管道、座椅等公共设施", True),
    ("elderly", "养老助残", "助餐、陪护、上门服务", False),
    ("education", "助学辅导", "课业辅导、托管", False),
    ("other", "其他", "其他心愿", False),
]

# level: (accept within hours, resolve within hours)
DEFAULT_LIMITS = {
    "community": (24, 7 * 24),
    "street": (24, 7 * 24),
    "centre": (24, 10 * 24),
}
