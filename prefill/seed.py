"""Synthetic but realistic shared data: people, families, licences, insurance, enterprises, property.

`generate()` is a pure function of (people, enterprises, seed, reference date): the same arguments
give the same data, so the database is reproducible and the eval re-derives the ground truth from
the parameters stored in ``seed_meta`` instead of trusting the database it checks.

Everything is fictitious: names are drawn from common surnames and given-name characters, but ID
numbers carry valid GB 11643 check digits over real GB/T 2260 district codes, enterprises carry
valid GB 32100 codes, bank cards pass Luhn. Households are built from templates so every one-thing
has people to pre-fill for (`Scenario`): couples with a newborn that has a 出生医学证明 but no
hukou yet, school-age children, retirees, a deceased person with relatives, disabled persons,
veterans, the very old, car owners, home sellers, and ~60 enterprises whose legal representatives
are seeded people.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import delete, insert

from prefill.regions import region_name
from prefill.sources import (
    EnterpriseRow,
    HousingFundRow,
    LicenceRow,
    PersonRow,
    RealEstateRow,
    RelationRow,
    SeedMetaRow,
    SharedDataDB,
    SocialInsuranceRow,
)
from prefill.validators import id_check_char, luhn_check_digit, org_code_check_char, uscc_check_char

log = logging.getLogger(__name__)

SEED_VERSION = "1"

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
            "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤")
GIVEN_MALE = "伟强磊军洋勇杰涛明超辉刚平鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林欢阳建国志文博成立永海峰东晨睿轩泽"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀英华慧巧美娅玲婷雪琳晶颖倩琪欣怡梅莉兰萍红燕云凤洁佳悦瑶璐诗涵雨思宁月"

STREETS = {
    "110101": ("东直门内大街", "王府井大街", "崇文门外大街"), "110105": ("建国路", "朝阳北路", "望京西路", "东三环中路"),
    "110108": ("中关村大街", "学院路", "知春路"), "310104": ("漕溪北路", "肇嘉浜路", "天钥桥路"),
    "310115": ("世纪大道", "张杨路", "杨高南路"), "440104": ("中山四路", "东风中路", "环市东路"),
    "440105": ("江南大道中", "新港西路", "宝岗大道"), "440106": ("天河路", "体育东路", "林和西路", "天河北路"),
    "440304": ("深南大道", "福华路", "益田路"), "440305": ("南海大道", "科苑路", "后海大道"),
    "330102": ("解放路", "庆春路", "望江路"), "330106": ("文三路", "天目山路", "曙光路"),
    "320102": ("中山路", "珠江路", "龙蟠路"), "320106": ("中山北路", "湖南路", "北京西路"),
    "510104": ("红星路", "东大街", "春熙路"), "510107": ("人民南路四段", "武侯祠大街", "科华北路"),
    "420103": ("解放大道", "建设大道", "新华路"), "420106": ("中南路", "武珞路", "中北路"),
    "630102": ("八一路", "东关大街", "互助路"), "630104": ("五四大街", "胜利路", "西关大街"),
    "350102": ("五四路", "东街", "湖东路"), "370102": ("泉城路", "经十路", "历山路"),
    "610113": ("小寨东路", "长安南路", "雁塔路"), "410105": ("花园路", "金水路", "经三路"),
    "430104": ("麓山南路", "桐梓坡路", "枫林一路"),
}
# Province abbreviation and capital-city plate letter, for plates and property certificate numbers.
PLATE = {"11": ("京", "A"), "31": ("沪", "A"), "44": ("粤", "A"), "33": ("浙", "A"), "32": ("苏", "A"),
         "51": ("川", "A"), "42": ("鄂", "A"), "63": ("青", "A"), "35": ("闽", "A"), "37": ("鲁", "A"),
         "61": ("陕", "A"), "41": ("豫", "A"), "43": ("湘", "A")}
HOSPITALS = {"1101": "北京妇产医院", "3101": "上海市第一妇婴保健院", "4401": "广州市妇女儿童医疗中心",
             "4403": "深圳市妇幼保健院", "3301": "浙江大学医学院附属妇产科医院", "3201": "南京市妇幼保健院",
             "5101": "四川大学华西第二医院", "4201": "湖北省妇幼保健院", "6301": "青海省妇女儿童医院",
             "3501": "福建省妇幼保健院", "3701": "山东大学齐鲁医院", "6101": "西北妇女儿童医院",
             "4101": "郑州大学第三附属医院", "4301": "湖南省妇幼保健院"}
BANKS = (("中国工商银行", "622202"), ("中国建设银行", "621700"), ("中国农业银行", "622848"), ("中国银行", "621661"),
         ("招商银行", "621483"), ("交通银行", "622262"), ("中国邮政储蓄银行", "621799"))
ETHNIC_MINOR = ("回族", "满族", "壮族", "蒙古族", "土家族")
EDUCATION = ("研究生", "大学本科", "大学本科", "大学专科", "高中", "初中")
DISABILITY = (("1", "视力残疾"), ("2", "听力残疾"), ("3", "言语残疾"), ("4", "肢体残疾"), ("5", "智力残疾"),
              ("6", "精神残疾"))
LEVELS = (("1", "一级"), ("2", "二级"), ("3", "三级"), ("4", "四级"))
COMPANY_WORDS = ("瑞丰", "恒达", "嘉禾", "鼎盛", "华诚", "启明", "安泰", "融通", "博远", "中和", "新锐", "汇智", "远航",
                 "德信", "明川", "永兴", "正源", "创联", "同舟", "金桥")
INDUSTRIES = {
    "tech": ("科技有限公司", "软件开发；信息技术咨询服务；数据处理和存储支持服务"),
    "trade": ("商贸有限公司", "日用百货销售；办公用品销售；五金产品零售"),
    "restaurant": ("餐饮管理有限公司", "餐饮服务；食品销售；餐饮管理"),
    "transport": ("运输有限公司", "道路普通货物运输；货物专用运输（集装箱）；国内货物运输代理"),
    "consult": ("企业管理咨询有限公司", "企业管理咨询；市场营销策划；会议及展览服务"),
    "manufacture": ("机械制造有限公司", "通用设备制造；机械零部件加工；金属制品销售"),
}
# 老年人能力评估 grades (GB/T 42195-2022 老年人能力评估规范).
ASSESSMENT_LEVELS = ("能力完好", "能力轻度受损（轻度失能）", "能力中度受损（中度失能）", "能力重度受损（重度失能）")
CARS = ("比亚迪秦PLUS", "吉利帝豪", "大众朗逸", "丰田卡罗拉", "长安CS75", "本田思域", "五菱宏光MINIEV", "哈弗H6")
TRUCKS = ("解放J6P重型半挂牵引车", "东风天龙重型厢式货车", "重汽豪沃重型自卸货车", "福田欧曼厢式货车")


@dataclass
class Scenario:
    """An eligible applicant for a one-thing and who each form role should resolve to (ground truth)."""

    one_thing_id: str
    applicant_id: str
    subjects: dict[str, str] = field(default_factory=dict)
    label: str = ""


@dataclass
class SeedData:
    people: list[dict[str, Any]] = field(default_factory=list)
    relations: list[dict[str, Any]] = field(default_factory=list)
    licences: list[dict[str, Any]] = field(default_factory=list)
    social: list[dict[str, Any]] = field(default_factory=list)
    housing: list[dict[str, Any]] = field(default_factory=list)
    enterprises: list[dict[str, Any]] = field(default_factory=list)
    real_estate: list[dict[str, Any]] = field(default_factory=list)
    scenarios: list[Scenario] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)

    def person(self, pid: str) -> dict[str, Any]:
        return self._index("people")[pid]

    def _index(self, name: str) -> dict[str, dict[str, Any]]:
        cache = self.__dict__.setdefault("_idx", {})
        if name not in cache:
            cache[name] = {r["id"]: r for r in getattr(self, name)}
        return cache[name]


class _Generator:
    """Builds `SeedData` from one `random.Random`; every helper consumes the rng in a fixed order."""

    def __init__(self, seed: int, today: dt.date) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.data = SeedData()
        self.used_ids: set[str] = set()
        self.used_phones: set[str] = set()
        self.counters: dict[str, int] = {}
        self.names: dict[str, str] = {}  # person and enterprise id -> name

    # -- small helpers ---------------------------------------------------------------------------
    def next_id(self, prefix: str) -> str:
        n = self.counters[prefix] = self.counters.get(prefix, 0) + 1
        return f"{prefix}{n:05d}"

    def digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def date_between(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    def birth_for_age(self, lo: float, hi: float) -> dt.date:
        return self.date_between(self.today - dt.timedelta(days=int(hi * 365.25)),
                                 self.today - dt.timedelta(days=int(lo * 365.25) + 1))

    def name(self, sex: str, surname: str | None = None) -> str:
        pool = GIVEN_MALE if sex == "男" else GIVEN_FEMALE
        given = "".join(self.rng.choice(pool) for _ in range(self.rng.choice((1, 2, 2))))
        return (surname or self.rng.choice(SURNAMES)) + given

    def id_number(self, region: str, birth: dt.date, sex: str) -> str:
        while True:
            seq = self.rng.randint(0, 499) * 2 + (1 if sex == "男" else 0)
            first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
            num = first17 + id_check_char(first17)
            if num not in self.used_ids:
                self.used_ids.add(num)
                return num

    def phone(self) -> str:
        while True:
            p = "1" + self.rng.choice("3456789") + self.digits(9)
            if p not in self.used_phones:
                self.used_phones.add(p)
                return p

    def bank(self) -> tuple[str, str]:
        name, bin_ = self.rng.choice(BANKS)
        partial = bin_ + self.digits(12)
        return name, partial + luhn_check_digit(partial)

    def address(self, region: str) -> str:
        street = self.rng.choice(STREETS[region])
        return (f"{region_name(region)}{street}{self.rng.randint(1, 399)}号{self.rng.randint(1, 30)}栋"
                f"{self.rng.randint(1, 4)}单元{self.rng.randint(1, 32)}{self.rng.randint(1, 8):02d}室")

    def city_police(self, region: str) -> str:
        city = region_name(region[:4] + "00") or region_name(region[:2] + "0000")
        return f"{city}公安局{region_name(region).removeprefix(city)}分局"

    # -- people ----------------------------------------------------------------------------------
    def person(self, sex: str, birth: dt.date, region: str, *, surname: str | None = None,
               household: dict | None = None, id_number: bool = True, hukou: str = "正常",
               marital: str = "未婚", residence_region: str | None = None) -> dict[str, Any]:
        pid = self.next_id("P")
        minority = region.startswith("63") and self.rng.random() < 0.3
        ethnicity = (self.rng.choice(("藏族", "回族", "土族")) if minority
                     else self.rng.choice(ETHNIC_MINOR) if self.rng.random() < 0.06 else "汉族")
        if household is None:
            household = {"address": self.address(region), "region": region, "hukou_no": region + self.digits(6)}
        res_region = residence_region or region
        age = (self.today - birth).days / 365.25
        p = {
            "id": pid, "name": self.name(sex, surname), "sex": sex, "birth_date": birth.isoformat(),
            "id_number": self.id_number(region, birth, sex) if id_number else None, "ethnicity": ethnicity,
            "household_address": household["address"] if hukou != "未落户" else None,
            "household_region_code": household["region"] if hukou != "未落户" else None,
            "residence_address": household["address"] if res_region == region else self.address(res_region),
            "residence_region_code": res_region,
            "marital_status": marital, "education": self.rng.choice(EDUCATION) if age >= 18 else None,
            "hukou_no": household["hukou_no"] if hukou != "未落户" else None, "hukou_status": hukou,
            "death_date": None,
        }
        self.data.people.append(p)
        self.names[pid] = p["name"]
        if p["id_number"] and age >= 16:
            issue = self.date_between(max(birth + dt.timedelta(days=int(16 * 365.25)), self.today - dt.timedelta(days=3650)),
                                      self.today - dt.timedelta(days=30))
            years = 10 if age < 26 else 20 if age < 46 else None
            valid = "长期" if years is None else _add_years(issue, years).isoformat()
            self.licence(pid, "id_card", p["id_number"], p["name"], issue, self.city_police(region), valid_until=valid)
        if hukou == "正常":
            self.licence(pid, "hukou_booklet", household["hukou_no"], p["name"],
                         self.date_between(max(birth, self.today - dt.timedelta(days=7300)), self.today - dt.timedelta(days=60)),
                         self.city_police(household["region"]))
        return p

    def relate(self, a: dict, b: dict, relation_of_b: str, relation_of_a: str) -> None:
        """Record that b is a's `relation_of_b` and a is b's `relation_of_a`."""
        self.data.relations.append({"id": self.next_id("R"), "person_id": a["id"], "relative_id": b["id"],
                                    "relation": relation_of_b})
        self.data.relations.append({"id": self.next_id("R"), "person_id": b["id"], "relative_id": a["id"],
                                    "relation": relation_of_a})

    def marry(self, husband: dict, wife: dict, since: dt.date) -> None:
        husband["marital_status"] = wife["marital_status"] = "已婚"
        self.relate(husband, wife, "spouse", "spouse")
        region = husband["household_region_code"] or "440106"
        number = f"J{region}-{since.year}-{self.digits(6)}"
        issuer = f"{region_name(region)}民政局婚姻登记处"
        self.licence(husband["id"], "marriage_cert", number, husband["name"], since, issuer, spouse_name=wife["name"])
        self.licence(wife["id"], "marriage_cert", number, wife["name"], since, issuer, spouse_name=husband["name"])

    def parent(self, child: dict, father: dict | None, mother: dict | None) -> None:
        if father:
            self.relate(child, father, "father", "child")
        if mother:
            self.relate(child, mother, "mother", "child")

    def birth_cert(self, child: dict, father: dict, mother: dict, region: str) -> None:
        hospital = HOSPITALS[region[:4]]
        born = dt.date.fromisoformat(child["birth_date"])
        self.licence(child["id"], "birth_cert", self.rng.choice("NOPQR") + region[:2] + self.digits(7), child["name"],
                     born, hospital, child_name=child["name"], sex=child["sex"], birth_date=born.isoformat(),
                     birth_place=hospital, father_name=father["name"], mother_name=mother["name"])

    def licence(self, holder: str, kind: str, number: str, holder_name: str, issue: dt.date, issuer: str,
                **data: Any) -> dict:
        row = {"id": self.next_id("L"), "holder_id": holder, "kind": kind, "number": number, "holder_name": holder_name,
               "issue_date": issue.isoformat(), "issuer": issuer, "data": data}
        self.data.licences.append(row)
        return row

    def social(self, p: dict, *, employee: bool = True, employer: str | None = None, retired: bool = False,
               months: int | None = None, status: str | None = None) -> dict:
        birth = dt.date.fromisoformat(p["birth_date"])
        age = (self.today - birth).days / 365.25
        bank_name, account = self.bank()
        enrol = self.date_between(birth + dt.timedelta(days=int(max(18, age - 30) * 365.25)),
                                  self.today - dt.timedelta(days=400)) if age >= 19 else birth + dt.timedelta(days=30)
        max_months = max(1, int((self.today - enrol).days / 30.44))
        data = {
            "ssc_card_no": self.rng.choice("ABCDEFGHJKLMN") + self.digits(8),
            "pension_type": ("城镇职工基本养老保险" if employee else "城乡居民基本养老保险") if age >= 16 else None,
            "medical_type": "职工基本医疗保险" if employee else "城乡居民基本医疗保险",
            "enrol_date": enrol.isoformat(),
            "contribution_months": str(months if months is not None else max_months) if age >= 16 else None,
            "employer_name": employer if employee else None,
            "contact_phone": self.phone() if age >= 16 else None,
            "bank_name": bank_name, "bank_account": account,
            # The benefit account the 社保 record names is the card's own financial account (社保卡金融功能);
            # no random draw here, so every other seeded value stays as it was.
            "bank_account_kind": "社会保障卡金融账户",
            "insured_region_code": p["household_region_code"] or p["residence_region_code"],
            "status": status or ("领取待遇" if retired else "参保缴费"),
        }
        row = {"id": self.next_id("S"), "subject_id": p["id"], "data": {k: v for k, v in data.items() if v is not None}}
        self.data.social.append(row)
        return row

    def housing(self, p: dict, employer: str, status: str = "正常缴存") -> dict:
        opened = self.date_between(self.today - dt.timedelta(days=365 * 15), self.today - dt.timedelta(days=365))
        deposit = self.rng.randrange(600, 4000, 10)
        months = (self.today - opened).days // 30
        data = {"account_no": self.digits(12), "status": status, "employer_name": employer,
                "monthly_deposit": str(deposit), "balance": f"{deposit * months * 0.6:.2f}", "open_date": opened.isoformat()}
        row = {"id": self.next_id("H"), "subject_id": p["id"], "data": data}
        self.data.housing.append(row)
        return row

    def property(self, owner_id: str, region: str, *, usage: str = "住宅", address: str | None = None) -> dict:
        abbrev = PLATE[region[:2]][0]
        year = self.rng.randint(2008, self.today.year - 1)
        city = region_name(region[:4] + "00") or region_name(region[:2] + "0000")
        city = city.removeprefix(region_name(region[:2] + "0000")) or region_name(region[:2] + "0000")
        cert = f"{abbrev}({year}){city}不动产权第{self.digits(7)}号"
        data = {"address": address or self.address(region), "region_code": region,
                "area": f"{self.rng.randint(45, 180)}.{self.rng.randint(0, 99):02d}", "usage": usage,
                "registered_date": self.date_between(dt.date(year, 1, 1), dt.date(year, 12, 28)).isoformat(),
                "unit_no": f"{region}{self.digits(6)}GB{self.digits(5)}F{self.digits(8)}",
                "water_account": self.digits(10), "power_account": self.digits(10), "gas_account": self.digits(9)}
        row = {"id": self.next_id("RE"), "owner_id": owner_id, "cert_no": cert, "data": data}
        self.data.real_estate.append(row)
        self.licence(owner_id, "property_cert", cert, self.names[owner_id], dt.date.fromisoformat(data["registered_date"]),
                     f"{city}不动产登记中心")
        return row

    def employer_name(self, region: str) -> str:
        city = region_name(region[:4] + "00").removeprefix(region_name(region[:2] + "0000")) or \
            region_name(region[:2] + "0000")
        kind = self.rng.choice(("tech", "trade", "consult", "manufacture"))
        return f"{city.removesuffix('市')}{self.rng.choice(COMPANY_WORDS)}{INDUSTRIES[kind][0]}"

    def region(self) -> str:
        return self.rng.choice(sorted(STREETS))

    def household(self, region: str) -> dict:
        return {"address": self.address(region), "region": region, "hukou_no": region + self.digits(6)}

    def couple(self, age_lo: float, age_hi: float, region: str) -> tuple[dict, dict, dict]:
        hh = self.household(region)
        h = self.person("男", self.birth_for_age(age_lo, age_hi), region, household=hh)
        w = self.person("女", self.birth_for_age(max(20, age_lo - 2), age_hi - 1), region, household=hh)
        self.marry(h, w, self.date_between(self.today - dt.timedelta(days=3650), self.today - dt.timedelta(days=400)))
        return h, w, hh

    def worker(self, p: dict, region: str, *, fund: bool = True) -> str:
        employer = self.employer_name(region)
        self.social(p, employer=employer)
        if fund:
            self.housing(p, employer)
        return employer

    def scenario(self, one_thing: str, applicant: dict, label: str, **subjects: str) -> None:
        self.data.scenarios.append(Scenario(one_thing, applicant["id"], dict(subjects), label))

    # -- household templates -----------------------------------------------------------------------
    def newborn_family(self) -> None:
        region = self.region()
        h, w, hh = self.couple(26, 38, region)
        self.worker(h, region)
        self.worker(w, region)
        born = self.date_between(self.today - dt.timedelta(days=150), self.today - dt.timedelta(days=3))
        sex = self.rng.choice("男女")
        baby = self.person(sex, born, region, surname=h["name"][0], household=hh, id_number=False, hukou="未落户")
        self.parent(baby, h, w)
        self.birth_cert(baby, h, w, region)
        if self.rng.random() < 0.6:
            self.property(h["id"], region)
        applicant = self.rng.choice((h, w))
        self.scenario("newborn", applicant, "新生儿父母（孩子已有出生医学证明，尚未落户）",
                      child=baby["id"], father=h["id"], mother=w["id"])

    def young_child_family(self, lo: float, hi: float, one_thing: str) -> None:
        region = self.region()
        h, w, hh = self.couple(28, 42, region)
        self.worker(h, region)
        self.worker(w, region, fund=self.rng.random() < 0.7)
        kid = self.person(self.rng.choice("男女"), self.birth_for_age(lo, hi), region, surname=h["name"][0], household=hh)
        self.parent(kid, h, w)
        self.birth_cert(kid, h, w, region)
        self.social(kid, employee=False)
        self.property(h["id"], region)
        applicant = self.rng.choice((h, w))
        label = {"childcare_subsidy": "3岁以下婴幼儿的父母", "school_enrollment": "适龄入学儿童的父母"}[one_thing]
        self.scenario(one_thing, applicant, label, child=kid["id"])

    def retiree(self) -> None:
        region = self.region()
        sex = self.rng.choice("男女")
        # 60 (men) or 55 (women in cadre posts) within the next few months: time to apply.
        age = 60 if sex == "男" else 55
        birth = self.birth_for_age(age - 0.25, age - 0.02)
        p = self.person(sex, birth, region, marital="已婚")
        employer = self.employer_name(region)
        self.social(p, employer=employer, months=self.rng.randint(200, 420))
        self.housing(p, employer)
        self.scenario("retirement", p, "即将达到法定退休年龄的职工")

    def deceased_family(self) -> None:
        region = self.region()
        hh = self.household(region)
        father = self.person("男", self.birth_for_age(72, 92), region, household=hh)
        mother = self.person("女", self.birth_for_age(70, 88), region, household=hh)
        self.marry(father, mother, self.date_between(dt.date(1965, 1, 1), dt.date(1985, 12, 31)))
        died, survivor = (father, mother) if self.rng.random() < 0.6 else (mother, father)
        death = self.date_between(self.today - dt.timedelta(days=40), self.today - dt.timedelta(days=2))
        died["death_date"] = death.isoformat()
        survivor["marital_status"] = "丧偶"
        hospital = HOSPITALS[region[:4]]
        self.licence(died["id"], "death_cert", f"{region}{death:%Y}{self.digits(6)}", died["name"], death, hospital,
                     death_date=death.isoformat(), death_place=hospital)
        employer = self.employer_name(region)
        self.social(died, employer=employer, retired=True, months=self.rng.randint(240, 480), status="待遇终止（死亡）")
        self.social(survivor, employer=employer, retired=True, months=self.rng.randint(180, 400))
        self.housing(died, employer, status="封存")
        if self.rng.random() < 0.7:
            self.licence(died["id"], "driving_licence", died["id_number"], died["name"],
                         self.date_between(dt.date(1995, 1, 1), dt.date(2015, 12, 31)), self.city_police(region) + "交通警察支队",
                         **{"class": "C1", "valid_until": "长期", "file_no": self.digits(12)})
        self.property(died["id"], region)
        children = []
        for _ in range(self.rng.choice((1, 2))):
            kid_region = self.region() if self.rng.random() < 0.3 else region
            kid = self.person(self.rng.choice("男女"), self.birth_for_age(38, 58), kid_region, surname=father["name"][0])
            self.parent(kid, father, mother)
            self.worker(kid, kid_region)
            children.append(kid)
        self.scenario("after_death", children[0], "逝者的子女（办理身后事）", deceased=died["id"])

    def disabled(self) -> None:
        region = self.region()
        p = self.person(self.rng.choice("男女"), self.birth_for_age(20, 58), region)
        self.social(p, employee=self.rng.random() < 0.4, employer=self.employer_name(region))
        cat, cat_name = self.rng.choice(DISABILITY)
        lvl, lvl_name = self.rng.choice(LEVELS)
        self.licence(p["id"], "disability_cert", p["id_number"] + cat + lvl, p["name"],
                     self.date_between(self.today - dt.timedelta(days=3000), self.today - dt.timedelta(days=60)),
                     f"{region_name(region)}残疾人联合会", category=cat_name, level=lvl_name)
        self.scenario("disability_services", p, "持残疾人证的残疾人")

    def veteran(self) -> None:
        region = self.region()
        hh = self.household(region)
        father = self.person("男", self.birth_for_age(48, 56), region, household=hh)
        mother = self.person("女", self.birth_for_age(46, 54), region, household=hh)
        self.marry(father, mother, self.date_between(dt.date(1994, 1, 1), dt.date(2000, 12, 31)))
        vet = self.person("男", self.birth_for_age(21, 27), region, surname=father["name"][0], household=hh)
        self.parent(vet, father, mother)
        discharge = self.date_between(self.today - dt.timedelta(days=60), self.today - dt.timedelta(days=5))
        enlist = discharge - dt.timedelta(days=365 * self.rng.choice((2, 5, 8)))
        self.licence(vet["id"], "veteran_cert", "TY" + region[:2] + self.digits(10), vet["name"], discharge,
                     f"{region_name(region)}退役军人事务局", discharge_cert_no="退" + self.digits(8),
                     enlist_date=enlist.isoformat(), discharge_date=discharge.isoformat(), placement="自主就业")
        self.social(vet, employer="中国人民解放军某部（军人保险）", months=(discharge - enlist).days // 30)
        self.worker(father, region)
        self.scenario("veteran_retirement", vet, "刚退出现役的退役士兵")

    def elderly(self) -> None:
        region = self.region()
        p = self.person(self.rng.choice("男女"), self.birth_for_age(80, 95), region, marital="丧偶")
        self.social(p, employee=self.rng.random() < 0.5, employer=self.employer_name(region), retired=True)
        kid = self.person(self.rng.choice("男女"), self.birth_for_age(48, 62), region)
        self.parent(kid, p if p["sex"] == "男" else None, p if p["sex"] == "女" else None)
        self.worker(kid, region)
        self.scenario("elderly_welfare", p, "80岁以上老年人")

    def hardship_family(self) -> None:
        region = self.region()
        h, w, hh = self.couple(32, 50, region)
        self.social(h, employee=False)
        self.social(w, employee=False)
        kid = self.person(self.rng.choice("男女"), self.birth_for_age(6, 15), region, surname=h["name"][0], household=hh)
        self.parent(kid, h, w)
        self.social(kid, employee=False)
        self.scenario("hardship_assistance", h, "申请最低生活保障的低收入家庭", spouse=w["id"], child=kid["id"])

    def car_owner(self) -> None:
        region = self.region()
        p = self.person(self.rng.choice("男女"), self.birth_for_age(28, 60), region)
        self.worker(p, region, fund=False)
        abbrev, letter = PLATE[region[:2]]
        police = self.city_police(region) + "交通警察支队"
        self.licence(p["id"], "driving_licence", p["id_number"], p["name"],
                     self.date_between(dt.date(2005, 1, 1), dt.date(2018, 12, 31)), police,
                     **{"class": "C1", "valid_until": "长期", "file_no": self.digits(12)})
        old_plate = f"{abbrev}{letter}{self.rng.choice('ABCDEFGH')}{self.digits(4)}"
        scrapped = self.date_between(self.today - dt.timedelta(days=120), self.today - dt.timedelta(days=20))
        self.licence(p["id"], "scrap_cert", "BF" + self.digits(12), p["name"], scrapped, f"{region_name(region[:4] + '00')}再生资源回收有限公司",
                     plate=old_plate, vin="L" + self.vin_tail(), scrap_date=scrapped.isoformat(),
                     recycler=f"{region_name(region[:4] + '00')}再生资源回收有限公司")
        new_reg = scrapped + dt.timedelta(days=self.rng.randint(3, 15))
        self.licence(p["id"], "vehicle_licence", "XS" + self.digits(12), p["name"], new_reg, police,
                     plate=f"{abbrev}{letter}D{self.rng.choice('ABCDF')}{self.digits(4)}", vin="L" + self.vin_tail(),
                     model=self.rng.choice(CARS), register_date=new_reg.isoformat(), usage="非营运", vehicle_type="小型轿车")
        self.scenario("car_trade_in_subsidy", p, "报废旧车并购买新车的车主")

    def vin_tail(self) -> str:
        return "".join(self.rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(16))

    def home_seller(self) -> dict:
        region = self.region()
        p = self.person(self.rng.choice("男女"), self.birth_for_age(35, 65), region, marital=self.rng.choice(("已婚", "离婚", "未婚")))
        self.worker(p, region, fund=False)
        self.property(p["id"], region)
        return p

    def migrant(self) -> None:
        home = self.region()
        p = self.person(self.rng.choice("男女"), self.birth_for_age(25, 45), home)
        dest = self.rng.choice([r for r in sorted(STREETS) if r != home])
        self.worker(p, dest)
        self.property(p["id"], dest)
        self.scenario("hukou_migration", p, "在外地购房、办理户口迁入的居民")

    def flexible(self) -> None:
        region = self.region()
        p = self.person(self.rng.choice("男女"), self.birth_for_age(24, 48), region)
        self.social(p, employee=False, status="暂停缴费")
        self.scenario("flexible_employment", p, "以灵活就业身份参保的自由职业者")

    def cross_region(self) -> None:
        insured = self.region()
        live = self.rng.choice([r for r in sorted(STREETS) if r != insured])
        p = self.person(self.rng.choice("男女"), self.birth_for_age(58, 75), insured, residence_region=live, marital="已婚")
        self.social(p, employer=self.employer_name(insured), retired=True)
        self.scenario("cross_region_medical", p, "异地长期居住的参保退休人员")

    def ssc_adult(self) -> dict:
        region = self.region()
        p = self.person(self.rng.choice("男女"), self.birth_for_age(22, 55), region)
        self.worker(p, region)
        self.scenario("social_security_card", p, "申领或使用社会保障卡的参保人")
        return p

    def generic_couple(self) -> None:
        region = self.region()
        h, w, _ = self.couple(25, 55, region)
        self.worker(h, region)
        self.worker(w, region)

    # -- enterprises ----------------------------------------------------------------------------
    def uscc(self, region: str, individual: bool) -> str:
        while True:
            org8 = "".join(self.rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
            first17 = ("92" if individual else "91") + region + org8 + org_code_check_char(org8)
            code = first17 + uscc_check_char(first17)
            if not any(e["uscc"] == code for e in self.data.enterprises):
                return code

    def enterprise(self, rep: dict, kind: str, flags: list[str], *, individual: bool = False,
                   region: str | None = None, established: dt.date | None = None, status: str = "存续") -> dict:
        region = region or rep["residence_region_code"] or self.region()
        city = region_name(region[:4] + "00").removeprefix(region_name(region[:2] + "0000")) or region_name(region[:2] + "0000")
        suffix, scope = INDUSTRIES[kind]
        word = self.rng.choice(COMPANY_WORDS) + self.rng.choice(COMPANY_WORDS)
        if individual:
            name = f"{region_name(region).removeprefix(region_name(region[:4] + '00'))}{word}" + (
                "小吃店" if kind == "restaurant" else "便利店")
            etype = "个体工商户"
            scope = "小餐饮；食品销售；烟草制品零售" if kind == "restaurant" else "日用百货销售；食品销售；烟草制品零售"
        else:
            name = f"{city.removesuffix('市')}{word}{suffix}"
            etype = "有限责任公司（自然人投资或控股）"
        established = established or self.date_between(dt.date(2008, 1, 1), self.today - dt.timedelta(days=400))
        eid = self.next_id("E")
        data = {
            "registered_address": self.address(region), "region_code": region,
            "capital": None if individual else str(self.rng.choice((10, 50, 100, 200, 500, 1000))),
            "business_scope": scope, "established": established.isoformat(), "phone": self.phone(),
            "employees": str(self.rng.randint(1, 8) if individual else self.rng.randint(5, 300)),
            "registration_authority": f"{region_name(region)}市场监督管理局", "flags": flags,
        }
        e = {"id": eid, "uscc": self.uscc(region, individual), "name": name, "kind": etype, "legal_rep_id": rep["id"],
             "status": status, "data": {k: v for k, v in data.items() if v is not None}}
        self.data.enterprises.append(e)
        self.names[eid] = name
        self.licence(eid, "business_licence", e["uscc"], name, established, data["registration_authority"])
        unit_no = region + self.digits(8)
        self.data.social.append({"id": self.next_id("S"), "subject_id": eid,
                                 "data": {"unit_no": unit_no, "unit_insured_count": data["employees"]}})
        if not individual:
            self.data.housing.append({"id": self.next_id("H"), "subject_id": eid, "data": {"unit_account_no": self.digits(11)}})
        return e

    def enterprises(self, count: int) -> None:
        people = [p for p in self.data.people if p["id_number"] and p["death_date"] is None
                  and 25 <= (self.today - dt.date.fromisoformat(p["birth_date"])).days / 365.25 <= 62]
        taken = {s.applicant_id for s in self.data.scenarios}
        pool = [p for p in people if p["id"] not in taken]
        self.rng.shuffle(pool)
        plan = [
            ("start_business", "tech", ["new"], False), ("enterprise_info_change", "trade", ["info_change"], False),
            ("open_restaurant", "restaurant", ["restaurant"], False), ("open_transport_company", "transport", ["transport"], False),
            ("employee_recruitment", "consult", ["hiring"], False), ("utility_connection", "manufacture", ["new_premises"], False),
            ("credit_repair", "trade", ["penalty"], False), ("bankruptcy_info_check", "manufacture", ["bankrupt"], False),
            ("listing_compliance_check", "tech", ["ipo"], False), ("enterprise_relocation", "consult", ["relocating"], False),
            ("self_employed_operator_change", "restaurant", ["operator_change"], True),
            ("enterprise_deregistration", "trade", ["deregistering"], False),
        ]
        made = 0
        rounds = 0
        while made < count and pool:
            one_thing, kind, flags, individual = plan[rounds % len(plan)] if rounds < 3 * len(plan) else \
                (None, self.rng.choice(sorted(INDUSTRIES)), [], self.rng.random() < 0.2)
            rounds += 1
            rep = pool.pop()
            made += 1
            self._enterprise_for(one_thing, kind, flags, individual, rep)

    def _enterprise_for(self, one_thing: str | None, kind: str, flags: list[str], individual: bool, rep: dict) -> None:
        region = rep["residence_region_code"]
        if one_thing == "start_business":
            e = self.enterprise(rep, kind, flags, established=self.today - dt.timedelta(days=self.rng.randint(1, 20)))
        elif one_thing == "bankruptcy_info_check":
            admin = self.by_id_candidate(rep)
            e = self.enterprise(rep, kind, flags, status="破产清算")
            e["data"].update({"bankruptcy_case_no": f"（{self.today.year}）{PLATE[region[:2]][0]}01破{self.rng.randint(1, 300)}号",
                              "court": f"{region_name(region[:4] + '00') or region_name(region[:2] + '0000')}中级人民法院",
                              "administrator_name": f"{self.rng.choice(COMPANY_WORDS)}律师事务所",
                              "administrator_id": admin["id"]})
        else:
            e = self.enterprise(rep, kind, flags, individual=individual)
        if one_thing is None:
            return
        subjects = {"enterprise": e["id"]}
        if one_thing == "open_transport_company":
            abbrev, letter = PLATE[region[:2]]
            for _ in range(self.rng.randint(2, 4)):
                reg = self.date_between(self.today - dt.timedelta(days=700), self.today - dt.timedelta(days=30))
                self.licence(e["id"], "vehicle_licence", "XS" + self.digits(12), e["name"], reg, self.city_police(region) + "交通警察支队",
                             plate=f"{abbrev}{letter}{self.digits(5)}", vin="L" + self.vin_tail(), model=self.rng.choice(TRUCKS),
                             register_date=reg.isoformat(), usage="货运", vehicle_type="重型货车")
        elif one_thing == "credit_repair":
            e["data"].update({"abnormal_reason": "未按规定期限公示年度报告",
                              "abnormal_date": self.date_between(self.today - dt.timedelta(days=700), self.today - dt.timedelta(days=90)).isoformat(),
                              "penalty_no": f"{PLATE[region[:2]][0]}市监罚〔{self.today.year - 1}〕{self.rng.randint(10, 999)}号",
                              "penalty_authority": e["data"]["registration_authority"],
                              "penalty_date": self.date_between(self.today - dt.timedelta(days=700), self.today - dt.timedelta(days=200)).isoformat()})
        elif one_thing in ("utility_connection", "enterprise_relocation"):
            dest = region if one_thing == "utility_connection" else self.rng.choice([r for r in sorted(STREETS) if r != region])
            self.property(e["id"], dest, usage="工业" if kind == "manufacture" else "办公")
        elif one_thing == "open_restaurant":
            self.property(e["id"], region, usage="商业")
        elif one_thing == "self_employed_operator_change":
            self.licence(e["id"], "food_licence", "JY2" + region + self.digits(8), e["name"],
                         self.date_between(self.today - dt.timedelta(days=1500), self.today - dt.timedelta(days=100)),
                         e["data"]["registration_authority"], valid_until=(self.today + dt.timedelta(days=900)).isoformat(),
                         scope="热食类食品制售；冷食类食品制售")
            self.licence(e["id"], "tobacco_licence", region + self.digits(6), e["name"],
                         self.date_between(self.today - dt.timedelta(days=1500), self.today - dt.timedelta(days=100)),
                         f"{region_name(region[:4] + '00') or region_name(region[:2] + '0000')}烟草专卖局",
                         valid_until=(self.today + dt.timedelta(days=700)).isoformat())
            successor = self.by_id_candidate(rep)
            subjects["new_operator"] = successor["id"]
        elif one_thing == "employee_recruitment":
            subjects["employee"] = self.by_id_candidate(rep)["id"]
        applicant = admin if one_thing == "bankruptcy_info_check" else rep
        self.scenario(one_thing, applicant, "市场主体的法定代表人（经营者）" if one_thing != "bankruptcy_info_check"
                      else "破产企业管理人的经办人", **subjects)

    def assessments(self) -> None:
        """老年人能力评估结果 for every other 80+ applicant (the 1st, 3rd …), issued on the reference day: the
        assessment a 护理补贴 applicant may promise under 容缺 (未评估的可先受理后评估) has just come out, so
        supplying it from the 电子证照库 works end to end; the others have none yet. Made last and drawing
        nothing from the rng, so every other seeded row and id stays as it was."""
        people = {p["id"]: p for p in self.data.people}
        elderly = [s.applicant_id for s in self.data.scenarios if s.one_thing_id == "elderly_welfare"]
        for i, pid in enumerate(elderly[::2]):
            region = people[pid]["household_region_code"]
            self.licence(pid, "elderly_assessment", f"MZPG{region}{self.today:%Y}{i + 1:05d}", people[pid]["name"],
                         self.today, f"{region_name(region)}民政局", level=ASSESSMENT_LEVELS[i % len(ASSESSMENT_LEVELS)])

    def by_id_candidate(self, applicant: dict) -> dict:
        """Another living adult with an ID number (a new employee, a buyer, a new operator)."""
        while True:
            p = self.rng.choice(self.data.people)
            age = (self.today - dt.date.fromisoformat(p["birth_date"])).days / 365.25
            if p["id"] != applicant["id"] and p["id_number"] and p["death_date"] is None and 18 <= age <= 60:
                return p


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


TEMPLATES = (
    "newborn_family", "childcare", "school", "retiree", "deceased_family", "disabled", "veteran", "elderly",
    "hardship_family", "car_owner", "house_sale", "migrant", "flexible", "cross_region", "ssc_adult", "generic_couple",
)


def generate(people: int, enterprises: int = 60, seed: int = 20240116, today: dt.date | None = None) -> SeedData:
    """Build the synthetic data set. Deterministic in all four arguments."""
    today = today or dt.date.today()
    g = _Generator(seed, today)
    i = 0
    while len(g.data.people) < people:
        t = TEMPLATES[i % len(TEMPLATES)]
        i += 1
        if t == "childcare":
            g.young_child_family(1.1, 2.9, "childcare_subsidy")
        elif t == "school":
            g.young_child_family(*(g.rng.choice(((5.7, 6.3), (11.6, 12.3)))), "school_enrollment")
        elif t == "house_sale":
            seller = g.home_seller()
            buyer = g.by_id_candidate(seller)
            g.scenario("house_transfer_utilities", seller, "出售二手房的房屋所有权人", buyer=buyer["id"])
        else:
            getattr(g, t)()
    g.enterprises(enterprises)
    g.assessments()
    g.data.meta = {"version": SEED_VERSION, "seed": str(seed), "people": str(people), "enterprises": str(enterprises),
                   "reference_date": today.isoformat(), "synthetic": "true"}
    return g.data


def write(db: SharedDataDB, data: SeedData) -> None:
    """Replace the database's contents with `data` (one transaction)."""
    tables = [(PersonRow, data.people), (RelationRow, data.relations), (LicenceRow, data.licences),
              (SocialInsuranceRow, data.social), (HousingFundRow, data.housing), (EnterpriseRow, data.enterprises),
              (RealEstateRow, data.real_estate)]
    with db.session() as s:
        for row_type, _ in reversed(tables):
            s.execute(delete(row_type))
        s.execute(delete(SeedMetaRow))
        for row_type, rows in tables:
            if rows:
                s.execute(insert(row_type), [{k: v for k, v in r.items()} for r in rows])
        meta = {**data.meta, "scenarios": json.dumps([asdict(x) for x in data.scenarios], ensure_ascii=False)}
        s.execute(insert(SeedMetaRow), [{"key": k, "value": v} for k, v in meta.items()])
    log.info("seeded shared data: %d people, %d enterprises", len(data.people), len(data.enterprises))


def seed_database(db: SharedDataDB, *, people: int, enterprises: int = 60, seed: int = 20240116,
                  today: dt.date | None = None, force: bool = False) -> bool:
    """Seed when empty (or `force`); returns True when it wrote. The parameters go into seed_meta."""
    if not force and db.count_people() > 0:
        return False
    write(db, generate(people, enterprises, seed, today))
    return True


def regenerate_from_meta(meta: dict[str, str]) -> SeedData:
    """Re-derive the ground truth of a seeded database from its stored parameters."""
    return generate(int(meta["people"]), int(meta["enterprises"]), int(meta["seed"]),
                    dt.date.fromisoformat(meta["reference_date"]))


def scenarios_from_meta(meta: dict[str, str]) -> list[Scenario]:
    return [Scenario(**x) for x in json.loads(meta.get("scenarios", "[]"))]
