"""Chinese labels of the case format's codes (one place for forms, explanations and exports)."""

from __future__ import annotations

RELATION_LABELS: dict[str, str] = {
    "head": "户主",
    "spouse": "配偶",
    "child": "子女",
    "parent": "父母",
    "grandchild": "孙子女",
    "sibling": "兄弟姐妹",
    "other": "其他",
}
LABOR_LABELS = {"full": "有劳动能力", "partial": "部分劳动能力", "none": "无劳动能力"}
HEALTH_LABELS = {"healthy": "健康", "chronic": "慢性病", "serious": "重病"}
EMPLOYMENT_LABELS = {
    "employed": "稳定就业",
    "flexible": "灵活就业",
    "unemployed": "失业",
    "retired": "退休",
    "none": "无",
}
DISABILITY_GRADE_LABELS = {0: "无残疾", 1: "一级", 2: "二级", 3: "三级", 4: "四级"}
DISABILITY_KIND_LABELS = {
    "physical": "肢体残疾",
    "intellectual": "智力残疾",
    "mental": "精神残疾",
    "visual": "视力残疾",
    "hearing": "听力残疾",
    "speech": "言语残疾",
    "multiple": "多重残疾",
}
SELF_CARE_LABELS = {
    "eating": "进食",
    "dressing": "穿衣",
    "bed_transfer": "上下床",
    "toileting": "如厕",
    "walking_indoors": "室内行走",
    "bathing": "洗澡",
}
EXCLUSION_LABELS = {
    "prison": "在监狱服刑",
    "compulsory_rehab": "强制隔离戒毒",
    "missing_by_court": "经法院宣告失踪",
    "clergy_away": "离家在寺院、宫观等宗教场所",
}
VEHICLE_LABELS = {
    "car": "小汽车",
    "truck": "货车",
    "motorcycle": "摩托车",
    "e_bike": "电动车",
    "disability": "残疾人代步车",
    "other": "其他机动车",
}
EXPENSE_LABELS = {
    "medical_selfpaid": "医疗自付费用",
    "education": "教育支出",
    "disability_rehab": "残疾康复支出",
}
AID_CAUSE_LABELS = {
    "fire": "火灾",
    "natural_disaster": "自然灾害",
    "accident": "意外事故",
    "sudden_illness": "突发重病",
    "crime": "遭受犯罪侵害",
    "medical_expense": "医疗费用支出",
    "education_expense": "教育费用支出",
    "other": "其他",
}
AID_KIND_LABELS = {"emergency": "急难型", "expense": "支出型"}
OUTCOME_LABELS = {"eligible": "符合", "ineligible": "不符合"}
DECIDED_BY_LABELS = {"township": "乡镇（街道）审批", "county": "县民政局审批"}
CARE_TIER_LABELS = {"self": "生活自理", "half": "半护理（部分失能）", "full": "全护理（完全失能）"}
PROGRAMME_LABELS = {
    "dibao": "最低生活保障",
    "tekun": "特困人员救助供养",
    "low_income_recognition": "低保边缘/刚性支出困难家庭认定",
    "temp_aid": "临时救助",
}
CATEGORY_LABELS = {
    "dibao": "低保家庭",
    "near_dibao": "低保边缘家庭",
    "rigid_expense": "刚性支出困难家庭",
    "tekun": "特困人员",
    "none": "不属于救助对象",
}
