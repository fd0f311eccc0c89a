"""A generated national corpus of 法治政府建设 documents, for benchmarks and scale tests.

    PYTHONPATH=. .venv/bin/python -m bench.corpus OUT_DIR --documents N --seed S [--report-share 0.15]

The tree is real: the central outline 《法治政府建设实施纲要(2021—2025年)》 (in the registry, not
written out) → the 31 provinces → their prefectures → their counties, with the current GB/T 2260
names and codes of ``policykg.ingest.divisions`` (development zones left out). Each jurisdiction's
plan, ``{full name}法治政府建设实施方案(2021—2025年)``, cites its parent plan by exact title and
文号, so lineage resolves by title; its measures derive from the parent's (reuse, reword, merge,
split, drop, and a few new ones, chosen by the seeded RNG), each with a bracket naming bodies of
its own jurisdiction (省司法厅, 市委编办, 县财政局 …) in the roles 牵头/负责/配合 and a deadline.
Provinces draw their measures from a bank that paraphrases the outline's tasks.

Allocation, top-down: of N documents, ``N - round(N * report_share)`` are plans, given to all
provinces first, then to the prefectures, then to the counties (each level in a seeded order), so
any N gives a coherent tree; the rest are yearly reports of jurisdictions that have a plan, chosen
in a seeded order: their 情况报告 of 2022 and 2023 first, then of 2021, 2024 and 2025, then (only
past ~16,000 documents, when every jurisdiction has its plan and five reports) the yearly reports
of their departments (司法局, 财政局 …). A document's text depends only on (seed, code, kind),
never on N: a larger corpus of the same seed holds the smaller one's plans, byte for byte.

Output: ``OUT_DIR/{code}-{kind}.txt`` (kind ``plan``, ``report-2022``, ``report-2022-sifa``) and
``OUT_DIR/manifest.json``: the seed, per document its file, title, 文号, parent title and file,
code, level, expected measure count and, per measure, its parent measure numbers and derivation
kind (the gold for alignment at scale), the bodies it names with their roles, its deadline; for
reports the activities and figures written; counts per level and kind at the end. Files are
written one by one and the manifest streamed, so memory is bounded by the division tree, not N.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from policykg.ingest.divisions import Division, Divisions, load as load_divisions

CENTRAL_TITLE = "法治政府建设实施纲要(2021—2025年)"
PERIOD = "(2021—2025年)"
NATIONAL = "100000"
NOT_COVERED = {"710000", "810000", "820000"}  # 台湾, 香港, 澳门: no plans of this family
LEVELS = ("provincial", "prefectural", "county")
REPORT_YEARS = (2022, 2023, 2021, 2024, 2025)  # the order reports are allocated in
DEPARTMENT_YEARS = (2022, 2023, 2024, 2025)
DEFAULT_DEADLINE = "2025-12-31"
FILE_NAME = re.compile(r"^\d{6}-[a-z0-9-]+\.txt$")

# 文号 prefixes of the provinces (桂政发〔2021〕12号)
PROVINCE_ABBR = {
    "110000": "京", "120000": "津", "130000": "冀", "140000": "晋", "150000": "内", "210000": "辽", "220000": "吉",
    "230000": "黑", "310000": "沪", "320000": "苏", "330000": "浙", "340000": "皖", "350000": "闽", "360000": "赣",
    "370000": "鲁", "410000": "豫", "420000": "鄂", "430000": "湘", "440000": "粤", "450000": "桂", "460000": "琼",
    "500000": "渝", "510000": "川", "520000": "黔", "530000": "云", "540000": "藏", "610000": "陕", "620000": "甘",
    "630000": "青", "640000": "宁", "650000": "新",
}

# Bodies, by slug: (provincial, municipal/prefectural, county) name after the scope prefix (省, 市, 县 …)
DEPARTMENTS: dict[str, tuple[str, str, str]] = {
    "sifa": ("司法厅", "司法局", "司法局"),
    "fagai": ("发展改革委", "发展改革委", "发展改革局"),
    "caizheng": ("财政厅", "财政局", "财政局"),
    "renshe": ("人力资源社会保障厅", "人力资源社会保障局", "人力资源社会保障局"),
    "bianban": ("委编办", "委编办", "委编办"),
    "bangong": ("政府办公厅", "政府办公室", "政府办公室"),
    "shichang": ("市场监管局", "市场监管局", "市场监管局"),
    "gongan": ("公安厅", "公安局", "公安局"),
    "shenji": ("审计厅", "审计局", "审计局"),
    "xinfang": ("信访局", "信访局", "信访局"),
    "zuzhi": ("委组织部", "委组织部", "委组织部"),
    "xuanchuan": ("委宣传部", "委宣传部", "委宣传部"),
    "zhengfa": ("委政法委", "委政法委", "委政法委"),
    "ziran": ("自然资源厅", "自然资源局", "自然资源局"),
    "shengtai": ("生态环境厅", "生态环境局", "生态环境局"),
    "yingji": ("应急管理厅", "应急管理局", "应急管理局"),
    "weijian": ("卫生健康委", "卫生健康委", "卫生健康局"),
    "jiaoyu": ("教育厅", "教育局", "教育局"),
    "zhujian": ("住房城乡建设厅", "住房城乡建设局", "住房城乡建设局"),
    "jiaotong": ("交通运输厅", "交通运输局", "交通运输局"),
}
# departments that write yearly reports of their own (party bodies and the general office do not)
REPORTING_DEPARTMENTS = ("sifa", "fagai", "caizheng", "renshe", "shichang", "gongan", "shenji", "xinfang", "ziran",
                         "shengtai", "yingji", "weijian", "jiaoyu", "zhujian", "jiaotong")
# the task areas of the seeds, as the parts of every plan (index = area)
AREAS = (
    "依法全面履行政府职能",
    "完善依法行政制度体系",
    "推进行政决策科学化、民主化、法治化",
    "坚持严格规范公正文明执法",
    "强化对行政权力的制约和监督",
    "依法有效化解社会矛盾纠纷",
    "全面提高政府工作人员法治思维和依法行政能力",
    "健全组织保障和落实机制",
)
CN_DIGITS = "一二三四五六七八九"


def cn(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (n < 100)."""
    tens, ones = divmod(n, 10)
    return ("" if tens == 0 else ("十" if tens == 1 else CN_DIGITS[tens - 1] + "十")) + ("" if ones == 0 else CN_DIGITS[ones - 1])


# --- the measure bank -------------------------------------------------------------------------
# Province plans take their measures from here (the outline's tasks, paraphrased); lower plans add
# entries their parent left out. Placeholders: {全} 全省/全市/全县, {我} 我省/我市, {级} 省级/县级,
# {政府} 省政府/县政府, {地} the jurisdiction's name. Each entry: (id, area, head, clauses, lead, cooperating).

@dataclass(frozen=True)
class BankEntry:
    id: str
    area: int
    head: str
    clauses: tuple[str, ...]
    lead: tuple[str, ...]
    coop: tuple[str, ...]


def _bank(rows: list[tuple[str, int, str, str, str, str]]) -> tuple[BankEntry, ...]:
    return tuple(BankEntry(i, a, h, tuple(c.split("|")), tuple(lead.split()), tuple(coop.split())) for i, a, h, c, lead, coop in rows)


BANK = _bank([
    ("f1", 0, "推进政府机构职能优化协同高效", "坚持优化政府组织结构与促进政府职能转变、理顺部门职责关系统筹结合|使机构设置更加科学、职能更加优化、权责更加协同|完善经济调节、市场监管、社会管理、公共服务、生态环境保护等职能|厘清政府和市场、政府和社会关系,推动有效市场和有为政府更好结合", "bianban", "sifa fagai"),
    ("f2", 0, "全面实行政府权责清单制度", "{级}政府部门权责清单实行动态管理,及时调整并向社会公布|推进同一事项在不同地区和层级同要素管理、同标准办理|建立权责清单与行政审批、行政执法等事项的衔接机制|以权责清单为依据规范行政权力运行", "bianban", "sifa shichang"),
    ("f3", 0, "深入推进放管服改革", "分级分类推进行政审批制度改革,全面推行审批服务马上办、网上办、就近办、一次办|坚决防止以备案、登记、行政确认、征求意见等方式变相设置行政许可事项|严格执行市场准入负面清单,普遍落实非禁即入|精简行政审批申请材料,压缩审批办理时限", "fagai", "shichang bangong"),
    ("f4", 0, "加强事中事后监管", "把更多行政资源从事前审批转到加强事中事后监管上来|健全以双随机、一公开监管和互联网加监管为基本手段、以信用监管为基础的新型监管机制|推进跨部门联合监管,实现违法线索互联、监管标准互通、处理结果互认|对新技术、新产业、新业态、新模式实行包容审慎监管", "shichang", "fagai sifa"),
    ("f5", 0, "持续优化法治化营商环境", "及时总结优化营商环境可复制可推广的经验做法|全面清理、废止对非公有制经济的各种形式不合理规定|依法平等保护各种所有制企业产权和自主经营权|健全政府守信践诺机制,建立政府失信责任追究制度", "fagai", "sifa shichang caizheng"),
    ("f6", 0, "加快建设数字法治政府", "坚持运用互联网、大数据、人工智能等技术手段促进依法行政|加快推进政务数据有序共享,建立健全政务数据共享协调机制|推进电子证照、电子印章、电子档案在政务服务领域的应用|全面提升政务服务一网通办水平", "bangong", "fagai caizheng"),
    ("f7", 0, "强化基本公共服务职能", "推进基本公共服务均等化、标准化、法定化|编制公共服务事项目录清单和办事指南,优化办理流程|全面推行证明事项告知承诺制,切实减少群众办事证明材料|健全政府购买公共服务制度,提高公共服务质量", "fagai caizheng", "renshe jiaoyu weijian"),
    ("r1", 1, "加强重要领域制度建设", "围绕{全}经济社会发展大局确定年度制度建设计划|积极推进科技创新、公共卫生、生态文明、防范风险等重要领域制度建设|加强制度出台前评估和实施后评估,增强制度的针对性和可操作性", "sifa", "bangong"),
    ("r2", 1, "完善制度建设工作机制", "健全规范性文件起草、论证、协调、审议机制|拓宽社会各方有序参与制度建设的途径,推行制度建设项目向社会公开征集|对部门间争议较大的重要制度建设事项,引入第三方评估|提高制度建设的公开性和透明度", "sifa", "bangong"),
    ("r3", 1, "严格落实行政规范性文件合法性审核机制", "行政规范性文件未经合法性审核或者经审核不合法的,不得提交集体审议|明确合法性审核的范围、主体、程序和时限|全面推行行政规范性文件统一登记、统一编号、统一印发制度|建立行政规范性文件合法性审核工作台账", "sifa", "bangong"),
    ("r4", 1, "强化规范性文件备案审查", "严格执行规范性文件备案审查制度,做到有件必备、有备必审、有错必纠|加强备案审查信息化建设,建立规范性文件数据库|对公民、法人和其他组织提出的审查建议,按照规定及时研究处理|依法撤销和纠正违法或者不适当的规范性文件", "sifa", "bangong"),
    ("r5", 1, "及时开展规范性文件清理", "根据上位法制定、修改、废止情况和改革需要,及时清理规范性文件|对与民法典等法律法规不一致的规范性文件及时修改或者废止|清理结果及时向社会公布,实行规范性文件目录和文本动态化、信息化管理", "sifa", "bangong"),
    ("r6", 1, "提高制度建设质量", "坚持科学、民主、依法制定制度|严格执行制度建设程序,广泛听取社会各界特别是利益相关方意见|加强对制度实施情况的监测,及时发现和解决制度执行中的问题", "sifa", "bangong fagai"),
    ("d1", 2, "严格落实重大行政决策程序", "严格执行重大行政决策程序暂行条例|增强公众参与实效,提高专家论证质量,充分发挥风险评估功能|确保所有重大行政决策严格履行合法性审查和集体讨论决定程序|推行重大行政决策事项年度目录公开制度", "bangong", "sifa"),
    ("d2", 2, "加强行政决策执行和评估", "完善行政决策执行机制,在决策中明确执行主体、执行时限、执行反馈等内容|建立健全重大行政决策跟踪反馈制度|依法推进决策后评估工作,将评估结果作为调整重大行政决策的重要依据|严格落实重大行政决策终身责任追究制度和责任倒查机制", "bangong", "sifa"),
    ("d3", 2, "充分发挥政府法律顾问和公职律师作用", "全面推行政府法律顾问制度和公职律师制度|建立健全以政府法制工作人员为主体、吸收专家和律师参加的法律顾问队伍|完善法律顾问参与决策的工作机制,保障其充分发挥作用|政府法律顾问工作经费纳入本级财政预算", "sifa", "caizheng renshe"),
    ("d4", 2, "加强重大行政决策合法性审查", "将合法性审查作为重大行政决策的前置程序|重大行政决策未经合法性审查或者经审查不合法的,不得提交决定|司法行政部门应当在规定期限内完成审查并出具书面审查意见|探索建立合法性审查工作台账制度", "sifa", "bangong"),
    ("d5", 2, "增强决策公众参与实效", "涉及群众切身利益的决策事项,应当通过座谈会、听证会、实地走访、书面征求意见等方式广泛听取意见|决策草案应当向社会公开征求意见,期限一般不少于30日|及时反馈公众意见采纳情况和理由", "bangong", "sifa xinfang"),
    ("d6", 2, "提高专家论证和风险评估质量", "建立行政决策咨询论证专家库|对专业性、技术性较强的决策事项,组织专家、专业机构进行论证|重大行政决策可能对社会稳定、公共安全等方面造成不利影响的,应当组织开展风险评估|将风险评估结果作为决策的重要依据", "zhengfa", "bangong sifa"),
    ("e1", 3, "深化行政执法体制改革", "大力推进综合行政执法体制改革,最大限度减少不必要的行政执法事项|进一步整合行政执法队伍,继续探索实行跨领域跨部门综合执法|推动执法重心下移,加大执法人员、经费、资源、装备等向基层倾斜力度|健全行政执法和刑事司法衔接机制", "bianban sifa", "gongan shichang"),
    ("e2", 3, "全面推行行政执法三项制度", "全面推行行政执法公示制度、执法全过程记录制度、重大执法决定法制审核制度|统一行政执法人员资格管理,严格执行行政执法证件制发和年审制度|加强行政执法信息化建设,推进行政执法数据共享|定期通报三项制度落实情况", "sifa", "gongan shichang ziran"),
    ("e3", 3, "加大重点领域执法力度", "加大食品药品、公共卫生、自然资源、生态环境、安全生产、劳动保障、城市管理、交通运输等关系群众切身利益的重点领域执法力度|分领域梳理群众反映强烈的突出问题,开展集中专项整治|对潜在风险大、可能造成严重不良后果的,加强日常监管和执法巡查|畅通违法行为投诉举报渠道", "shichang", "shengtai yingji jiaotong"),
    ("e4", 3, "完善行政执法程序", "完善行政执法程序规范,细化执法流程,明确执法环节和步骤|全面严格落实告知制度,依法保障行政相对人陈述、申辩、提出听证申请等权利|统一行政执法案卷、文书基本标准,提高执法案卷、文书规范化水平|建立健全行政裁量权基准制度,细化量化行政执法行为的裁量范围、种类、幅度", "sifa", "shichang gongan"),
    ("e5", 3, "创新行政执法方式", "广泛运用说服教育、劝导示范、警示告诫、指导约谈等方式,努力做到宽严相济、法理相融|全面推行轻微违法行为依法免予处罚清单|建立行政执法案例指导制度|加强以案释法,让执法既有力度又有温度", "sifa", "shichang shengtai"),
    ("e6", 3, "加强行政执法队伍建设", "加强行政执法人员资格管理,未经执法资格考试或者考试不合格的,不得授予执法资格|实行行政执法人员全员轮训制度,每人每年接受不少于60学时的公共法律知识、业务知识和行政执法技能培训|规范执法辅助人员管理|合理配备执法装备,落实执法经费保障", "sifa", "renshe caizheng"),
    ("e7", 3, "健全行政执法监督机制", "加强行政执法监督机制和能力建设,充分发挥统筹协调、规范保障、督促指导作用|推进行政执法监督信息化,实现对行政执法活动的即时性、过程性、系统性监督|定期开展行政执法案卷评查|健全行政执法责任制,落实行政执法责任追究", "sifa", "shenji"),
    ("o1", 4, "形成监督合力", "坚持将行政权力制约和监督体系纳入党和国家监督体系全局统筹谋划|积极发挥审计监督、财会监督、统计监督、执法监督、行政复议等监督作用|自觉接受人大监督、民主监督,认真研究处理人大代表建议和政协委员提案|支持人民法院依法受理和审理行政案件,尊重并执行人民法院生效裁判", "bangong", "sifa shenji"),
    ("o2", 4, "全面主动落实政务公开", "坚持以公开为常态、不公开为例外,用政务公开促进权力规范透明运行|完善政务公开制度,推进决策、执行、管理、服务、结果公开|加强公开制度化、标准化、信息化建设,提高政务公开能力和水平|全面提升政府信息公开申请办理工作质量", "bangong", "fagai"),
    ("o3", 4, "加快推进政务诚信建设", "健全政府守信践诺机制|建立政务诚信监测治理机制,建立健全政务失信记录制度|将政务失信记录纳入信用信息共享平台并向社会公开|加大失信惩戒力度,重点治理政府失信行为", "fagai", "sifa caizheng"),
    ("o4", 4, "强化审计监督", "加大对重点领域、重点部门和关键岗位的审计力度|对公共资金、国有资产、国有资源和领导干部履行经济责任情况实行审计全覆盖|加强审计结果运用,督促审计发现问题整改落实", "shenji", "caizheng"),
    ("o5", 4, "健全行政问责机制", "坚决纠正行政不作为、乱作为,坚决克服懒政、庸政、怠政|严格执行中国共产党问责条例等有关规定|对问题突出的地方和部门,依规依纪依法严肃问责|问责情况定期通报,典型问题公开曝光", "zuzhi", "sifa shenji"),
    ("o6", 4, "加强社会监督和舆论监督", "完善群众举报投诉制度,依法保障人民群众监督政府的权利|建立健全网络舆情监测、收集、研判、处置机制|重视运用和规范网络监督,及时回应社会关切|加强对新闻媒体反映问题的调查核实", "xuanchuan", "bangong xinfang"),
    ("s1", 5, "加强行政调解工作", "依法加强消费者权益保护、交通损害赔偿、治安管理、环境污染、社会保障、房屋土地征收等方面的行政调解|规范行政调解范围和程序,组织做好教育培训,提升行政调解工作水平|坚持三调联动,推进行政调解与人民调解、司法调解有效衔接", "sifa", "gongan shichang"),
    ("s2", 5, "发挥行政复议化解行政争议主渠道作用", "全面深化行政复议体制改革,整合行政复议职责|健全行政复议案件审理机制,加大公开听证审理力度,纠正违法或不当行政行为|提高行政复议办案质量,增强行政复议的专业性、透明度和公信力|建立行政复议决定书以及行政复议意见书、建议书执行监督机制", "sifa", "caizheng bianban"),
    ("s3", 5, "加强和规范行政应诉工作", "认真执行行政机关负责人出庭应诉制度|健全行政争议实质性化解机制,推动诉源治理|支持配合检察机关开展行政诉讼监督工作和行政公益诉讼|积极主动履行人民法院生效裁判", "sifa", "bangong"),
    ("s4", 5, "有序推进行政裁决工作", "发挥行政裁决化解民事纠纷的分流阀作用|推行行政裁决权利告知制度,规范行政裁决程序|推动有关行政机关切实履行行政裁决职责,全面梳理行政裁决事项", "sifa", "ziran"),
    ("s5", 5, "推进信访工作法治化", "深入推进信访工作制度改革,依法分类处理信访诉求|把信访纳入法治化轨道,保障合理合法诉求依照法律规定和程序得到解决|健全信访事项复查复核机制,完善涉法涉诉信访依法终结制度", "xinfang", "zhengfa gongan"),
    ("s6", 5, "健全矛盾纠纷多元化解机制", "坚持和发展新时代枫桥经验|构建源头防控、排查梳理、纠纷化解、应急处置的社会矛盾综合治理机制|加强行业性、专业性人民调解组织建设|完善律师调解制度,推进公共法律服务体系建设", "zhengfa", "sifa xinfang"),
    ("c1", 6, "健全领导干部学法用法制度", "健全政府常务会议学法制度,每年至少安排4次学法活动|完善领导干部学法考法制度,将学法情况列入年度述职内容|把法治教育纳入干部教育培训总体规划", "bangong", "sifa zuzhi"),
    ("c2", 6, "加强法治教育培训", "每年至少举办一期领导干部依法行政专题培训班|加大对公务员初任培训、任职培训中法律知识的培训力度|实行行政执法人员以案释法制度", "zuzhi", "renshe sifa"),
    ("c3", 6, "完善法治能力考查测试制度", "加强对领导干部任职前法律知识考查和依法行政能力测试|将考查和测试结果作为领导干部任职的重要参考|优先提拔使用法治素养好、依法办事能力强的干部", "zuzhi", "renshe"),
    ("c4", 6, "注重通过法治实践提高法治能力", "政府工作人员特别是领导干部想问题、作决策、办事情必须守法律、重程序、受监督|自觉运用法治思维和法治方式深化改革、推动发展、化解矛盾、维护稳定|努力营造办事依法、遇事找法、解决问题用法、化解矛盾靠法的良好法治环境", "sifa", "zuzhi"),
    ("c5", 6, "深入开展法治宣传教育", "全面落实谁执法谁普法普法责任制|深入学习宣传习近平法治思想和宪法、民法典|推进法治文化阵地建设,提升全民法治素养", "xuanchuan sifa", "jiaoyu"),
    ("g1", 7, "加强党对法治政府建设的领导", "深入学习领会习近平法治思想,把法治政府建设摆在全局工作的突出位置|将法治政府建设纳入经济社会发展总体规划和年度工作计划|党政主要负责人切实履行推进法治建设第一责任人职责|及时研究解决法治政府建设中的重大问题", "bangong", "sifa"),
    ("g2", 7, "完善法治政府建设推进机制", "深入推进法治政府建设督察工作,确保各项任务落到实处|积极开展法治政府建设示范创建活动,以创建促提升、以示范带全局|严格执行法治政府建设年度报告制度,按时向社会公开", "sifa", "bangong"),
    ("g3", 7, "全面加强依法行政能力建设", "推动行政机关负责人带头遵守执行宪法法律|建立领导干部应知应会法律法规清单制度|加强政府法制工作机构建设,使其职责任务与工作力量相适应", "sifa", "bianban zuzhi"),
    ("g4", 7, "加强考核评价", "把法治建设成效作为衡量各级领导班子和领导干部工作实绩的重要内容|纳入政绩考核指标体系,充分发挥考核评价对法治政府建设的重要推动作用|强化考核结果运用", "zuzhi", "sifa renshe"),
    ("g5", 7, "加强理论研究和宣传", "加强法治政府理论研究|及时总结、交流和推广法治政府建设先进经验|大力培育建设法治政府先进典型,营造全社会关心、支持和参与法治政府建设的良好氛围", "xuanchuan", "sifa"),
])
# measures a lower plan adds of its own (besides the bank entries its parent left out)
LOCAL = _bank([
    ("n1", 7, "打造{地}法治建设品牌", "结合{地}实际,培育具有地方特色的法治政府建设品牌|每年选树一批法治政府建设示范点|总结推广基层依法行政经验做法", "sifa", "xuanchuan"),
    ("n2", 0, "推进基层法治建设", "推动乡镇(街道)依法履行职能,编制乡镇(街道)权责清单|加强乡镇(街道)合法性审核力量建设|推进村(社区)法律顾问全覆盖", "sifa", "bianban"),
    ("n3", 5, "建设覆盖城乡的公共法律服务体系", "推进公共法律服务实体平台、热线平台、网络平台融合发展|加强基层法律服务工作者队伍建设|为困难群众提供便捷高效的法律援助", "sifa", "caizheng"),
    ("n4", 3, "推进综合行政执法向基层延伸", "依法赋予乡镇(街道)部分行政执法权|组建统一的综合行政执法队伍|加强乡镇(街道)执法人员培训和执法监督", "bianban sifa", "renshe"),
    ("n5", 4, "加强行政执法协调监督工作体系建设", "构建{级}行政执法协调监督工作体系|设立行政执法监督联络点,聘请特邀行政执法监督员|开展行政执法突出问题专项监督", "sifa", "shenji"),
    ("n6", 6, "建立法治政府建设专家智库", "聘请法学专家、律师组建法治政府建设咨询专家组|为重大改革事项提供法律论证意见|定期开展法治政府建设专题调研", "sifa", "renshe"),
    ("n7", 2, "规范行政合同管理", "建立行政合同合法性审查制度|加强对重大行政合同履行情况的跟踪监督|防范和化解合同履约风险", "sifa", "caizheng"),
])
BANK_BY_ID = {e.id: e for e in (*BANK, *LOCAL)}

# synonyms a rewording exchanges (each way)
_SYNONYMS = (("推进", "推动"), ("健全", "完善"), ("加强", "强化"), ("提高", "提升"), ("建立", "构建"),
             ("及时", "适时"), ("积极", "主动"), ("确保", "保证"), ("严格", "切实"), ("有效", "有力"))
SYNONYMS = {**{a: b for a, b in _SYNONYMS}, **{b: a for a, b in _SYNONYMS}}
_SYNONYM_RE = re.compile("|".join(sorted(SYNONYMS, key=len, reverse=True)))


# --- places -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Place:
    code: str
    level: str  # provincial | prefectural | county
    name: str  # 钦南区
    full: str  # 广西壮族自治区钦州市钦南区
    unit: str  # 省 自治区 市 州 盟 地区 县 区 旗: the scope prefix of its bodies (县司法局)
    tier: int  # which name of DEPARTMENTS it uses: 0 provincial, 1 municipal or prefectural, 2 county
    parent: str | None  # the place whose plan this one's cites (None: the central outline)
    abbr: str  # 文号 prefix
    serial: int  # 文号 serial, unique per prefix
    plan_date: dt.date

    @property
    def whole(self) -> str:
        return "全" + ("区" if self.unit == "自治区" else self.unit)

    @property
    def we(self) -> str:
        return "我" + ("区" if self.unit == "自治区" else self.unit)

    @property
    def government(self) -> str:
        return self.unit + ("行署" if self.unit in {"盟", "地区"} else "政府")

    def body(self, slug: str) -> str:
        """The name its documents write for a body: 县司法局, 自治区党委编办, 市政府办公厅."""
        name = DEPARTMENTS[slug][self.tier]
        if self.level == "provincial" and self.tier == 1 and slug == "bangong":
            name = "政府办公厅"  # a municipality's general office
        if name.startswith("委") and self.unit == "自治区":
            name = "党" + name
        return self.unit + name

    def collectives(self) -> tuple[str, str]:
        """(its own departments, the governments below it), as its brackets name them."""
        own = "自治区各有关部门" if self.unit == "自治区" else f"{self.unit}直各有关部门"
        if self.level == "provincial":
            below = "各区人民政府" if self.unit == "市" else "各设区市人民政府"
        elif self.level == "prefectural":
            below = "各县(市、区)人民政府"
        else:
            below = "各街道办事处" if self.unit == "区" else "各乡镇人民政府"
        return own, below

    def words(self, text: str) -> str:
        if "{" not in text:
            return text
        return (text.replace("{全}", self.whole).replace("{我}", self.we).replace("{级}", self.unit + "级")
                .replace("{政府}", self.government).replace("{地}", self.name))

    @property
    def plan_title(self) -> str:
        return f"{self.full}法治政府建设实施方案{PERIOD}"

    @property
    def plan_number(self) -> str:
        return f"{self.abbr}政发〔{self.plan_date.year}〕{self.serial}号"

    def file(self, kind: str) -> str:
        return f"{self.code}-{kind}.txt"


def _unit(d: Division, level: str) -> str:
    name = d.name
    if level == "provincial":
        return "自治区" if name.endswith("自治区") else ("市" if name.endswith("市") else "省")
    if level == "prefectural":
        for suffix, unit in (("自治州", "州"), ("盟", "盟"), ("地区", "地区")):
            if name.endswith(suffix):
                return unit
        return "市"
    for suffix, unit in (("旗", "旗"), ("县", "县"), ("市", "市")):
        if name.endswith(suffix):
            return unit
    return "区"


def _rng(seed: int, *parts: object) -> random.Random:
    return random.Random(":".join(map(str, (seed, *parts))))


@dataclass
class Tree:
    """The places that get documents, each level in its seeded order."""

    levels: dict[str, list[Place]]
    by_code: dict[str, Place]

    @property
    def size(self) -> int:
        return sum(len(v) for v in self.levels.values())

    def in_order(self) -> Iterator[Place]:
        for level in LEVELS:
            yield from self.levels[level]


def build_tree(seed: int, divisions: Divisions | None = None) -> Tree:
    """Provinces, prefectures and counties of today's GB/T 2260 (no development zones), with the
    plan each cites, 文号 unique per prefix and plan dates after their parent's."""
    divisions = divisions or load_divisions()
    nation = divisions.get(NATIONAL)
    assert nation is not None
    rows: list[tuple[Division, str, str | None]] = []  # (division, level, parent code)
    for p in divisions.below(nation, "provincial"):
        if p.code in NOT_COVERED:
            continue
        rows.append((p, "provincial", None))
        for c in divisions.below(p, "prefectural"):
            if not c.zone:
                rows.append((c, "prefectural", p.code))
        for c in divisions.below(p, "county"):
            if c.zone:
                continue
            up = divisions.get(c.parent)
            rows.append((c, "county", c.parent if up is not None and up.level == "prefectural" and not up.zone else p.code))
    used: dict[str, set[int]] = {}
    by_code: dict[str, Place] = {}
    for d, level, parent in sorted(rows, key=lambda r: (LEVELS.index(r[1]), r[0].code)):
        r = _rng(seed, "place", d.code)
        if level == "provincial":
            abbr = PROVINCE_ABBR[d.code]
        elif level == "prefectural":
            abbr = d.name[0]
        else:
            abbr = d.name[:2] if len(d.name) >= 3 else d.name[:1]
        serial = r.randint(1, 60)
        while serial in used.setdefault(abbr, set()):
            serial += 1
        used[abbr].add(serial)
        start = by_code[parent].plan_date if parent else dt.date(2021, 9, 20)
        unit = _unit(d, level)
        tier = 0 if level == "provincial" and unit != "市" else (2 if level == "county" else 1)
        by_code[d.code] = Place(d.code, level, d.name, divisions.full_name(d), unit, tier, parent, abbr, serial,
                                start + dt.timedelta(days=r.randint(20, 150)))
    levels: dict[str, list[Place]] = {level: [] for level in LEVELS}
    for place in by_code.values():
        levels[place.level].append(place)
    for level, places in levels.items():
        _rng(seed, "order", level).shuffle(places)
    return Tree(levels, by_code)


# --- measures ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Spec:
    """A measure, before it is written for a jurisdiction."""

    bank: str  # the bank entries it comes from (f3, f3+f4)
    area: int
    head: str  # may be empty (the second half of a split)
    clauses: tuple[str, ...]
    lead: tuple[str, ...]
    coop: tuple[str, ...]
    deadline: tuple[Any, ...]  # ("year", 2022) ("month", 2023, 6) ("ongoing", "长期坚持") ("default",)
    parents: tuple[int, ...] = ()  # numbers of the parent plan's measures
    kind: str = "outline"


def _deadline(r: random.Random) -> tuple[Any, ...]:
    x = r.random()
    if x < 0.45:
        return ("year", r.choice((2022, 2022, 2023, 2023, 2024, 2025)))
    if x < 0.65:
        return ("month", r.choice((2022, 2023, 2024)), r.choice((3, 6, 6, 9)))
    if x < 0.85:
        return ("ongoing", r.choice(("长期坚持", "持续推进")))
    return ("default",)


def _later(d: tuple[Any, ...], r: random.Random) -> tuple[Any, ...]:
    """A child's deadline: its parent's, or up to a year later (within the plan's period)."""
    if d[0] not in {"year", "month"} or r.random() < 0.5:
        return d
    if d[0] == "year":
        return ("year", min(2025, d[1] + 1))
    year, month = d[1], d[2] + r.choice((3, 6))
    if month > 12:
        year, month = year + 1, month - 12
    return ("month", year, month) if year <= 2025 else ("year", 2025)


def reword(text: str, r: random.Random) -> str:
    return _SYNONYM_RE.sub(lambda m: SYNONYMS[m.group(0)] if r.random() < 0.6 else m.group(0), text)


def _reworded(s: Spec, r: random.Random) -> Spec:
    clauses = [reword(c, r) for c in s.clauses]
    if len(clauses) >= 3:
        i, j = r.sample(range(len(clauses)), 2)
        clauses[i], clauses[j] = clauses[j], clauses[i]
    if len(clauses) >= 4 and r.random() < 0.3:
        clauses.pop(r.randrange(1, len(clauses)))
    if r.random() < 0.3:
        clauses[0] = "结合{我}实际," + clauses[0]
    coop = s.coop
    if coop and r.random() < 0.3:
        coop = tuple(sorted({*coop[1:], r.choice(("caizheng", "renshe", "shenji", "fagai"))} - set(s.lead)))
    return replace(s, head=reword(s.head, r), clauses=tuple(clauses), coop=coop)


def province_measures(place: Place, seed: int) -> list[Spec]:
    """A province's measures: most bank entries, some reworded."""
    r = _rng(seed, place.code, "plan")
    out = []
    for e in BANK:
        if r.random() < 0.15:
            continue
        s = Spec(e.id, e.area, e.head, e.clauses, e.lead, e.coop, _deadline(r))
        out.append(_reworded(s, r) if r.random() < 0.4 else s)
    return out


def derive(parent: list[Spec], place: Place, seed: int) -> list[Spec]:
    """A lower plan's measures from its parent's (numbered 1… in order): each reused, reworded,
    merged with the next one of its area, split in two or dropped; then a few new ones."""
    r = _rng(seed, place.code, "plan")
    out: list[Spec] = []
    i = 0
    while i < len(parent):
        p, n = parent[i], i + 1
        x = r.random()
        deadline = _later(p.deadline, r)
        if x < 0.10:
            i += 1
            continue  # dropped
        if x < 0.18 and i + 1 < len(parent) and parent[i + 1].area == p.area:
            q = parent[i + 1]
            keep_p, keep_q = max(2, len(p.clauses) - 1), max(2, len(q.clauses) - 1)
            lead = tuple(dict.fromkeys((*p.lead, *q.lead)))
            coop = tuple(c for c in dict.fromkeys((*p.coop, *q.coop)) if c not in lead)[:3]
            out.append(Spec(f"{p.bank}+{q.bank}", p.area, p.head, p.clauses[:keep_p] + q.clauses[:keep_q], lead, coop,
                            deadline, (n, n + 1), "merge"))
            i += 2
            continue
        if x < 0.25 and len(p.clauses) >= 4:
            half = len(p.clauses) // 2
            out.append(replace(p, clauses=p.clauses[:half], deadline=deadline, parents=(n,), kind="split"))
            out.append(replace(p, head="", clauses=p.clauses[half:], coop=p.coop[:1], deadline=deadline, parents=(n,), kind="split"))
        elif x < 0.62:
            out.append(replace(p, deadline=deadline, parents=(n,), kind="reuse"))
        else:
            out.append(replace(_reworded(p, r), deadline=deadline, parents=(n,), kind="reword"))
        i += 1
    present = {b for s in parent for b in s.bank.split("+")}
    candidates = [e for e in BANK if e.id not in present] + list(LOCAL)
    for e in r.sample(candidates, min(len(candidates), r.randint(1, 3))):
        new = Spec(e.id, e.area, e.head, e.clauses, e.lead, e.coop, _deadline(r), (), "new")
        at = max((k + 1 for k, s in enumerate(out) if s.area <= e.area), default=0)
        out.insert(at, new)
    return out


def _bracket(s: Spec, place: Place, r: random.Random) -> tuple[str, list[list[str]]]:
    """The obligation bracket of a measure and the bodies it names: [[surface, role], …]."""
    leads = [place.body(x) for x in s.lead]
    coops = [place.body(x) for x in s.coop if x not in s.lead]
    own, below = place.collectives()
    named: list[list[str]] = []
    style = r.random()
    if style < 0.15 or not coops:
        parts = [f"{'、'.join(leads)}负责"]
        named += [[x, "responsible"] for x in leads]
    elif style < 0.55:
        parts = [f"{'、'.join(leads)}牵头", f"{'、'.join(coops)}配合"]
        named += [[x, "lead"] for x in leads] + [[x, "cooperating"] for x in coops]
    elif style < 0.8:
        parts = [f"{'、'.join(leads)}牵头", f"{'、'.join(coops)}、{own}按职责分别负责"]
        named += [[x, "lead"] for x in leads] + [[x, "responsible"] for x in coops] + [[own, "responsible"]]
    else:
        parts = [f"{'、'.join(leads)}牵头", f"{'、'.join(coops)}、{below}配合"]
        named += [[x, "lead"] for x in leads] + [[x, "cooperating"] for x in coops] + [[below, "cooperating"]]
    d = s.deadline
    if d[0] == "year":
        parts.append(f"{d[1]}年底前完成")
    elif d[0] == "month":
        parts.append(f"{d[1]}年{d[2]}月底前")
    elif d[0] == "ongoing":
        parts.append(d[1])
    return "(" + ",".join(parts) + ")", named


def _iso_deadline(d: tuple[Any, ...]) -> str:
    if d[0] == "year":
        return f"{d[1]}-12-31"
    if d[0] == "month":
        last = (dt.date(d[1] + d[2] // 12, d[2] % 12 + 1, 1) - dt.timedelta(days=1)).day
        return f"{d[1]}-{d[2]:02d}-{last:02d}"
    return "ongoing" if d[0] == "ongoing" else "default"


# --- documents --------------------------------------------------------------------------------

@dataclass
class Document:
    file: str
    text: str
    record: dict[str, Any]


@dataclass
class PlanInfo:
    """What the reports of a jurisdiction need of its plan."""

    title: str
    number: str
    file: str
    heads: list[tuple[int, str]] = field(default_factory=list)  # (area, head) of its measures


def _signature(place: Place, when: dt.date, signer: str | None = None) -> str:
    return f"{signer or place.full + '人民政府'}\n{when.year}年{when.month}月{when.day}日\n"


def write_plan(place: Place, specs: list[Spec], tree: Tree, seed: int) -> Document:
    r = _rng(seed, place.code, "plan-text")
    parent = tree.by_code.get(place.parent) if place.parent else None
    lines = [place.plan_title, place.plan_number]
    cites = f"中共中央、国务院《{CENTRAL_TITLE}》"
    if parent is not None:
        cites += f"和《{parent.plan_title}》({parent.plan_number})"
    lines.append(f"为深入推进依法行政,加快建设法治政府,根据{cites},结合{place.we}实际,制定本实施方案。")
    lines += [
        "一、总体要求",
        "(一)指导思想",
        "坚持以习近平新时代中国特色社会主义思想为指导,深入学习贯彻习近平法治思想,坚定不移走中国特色社会主义法治道路,"
        f"在法治轨道上全面建设社会主义现代化{place.name},为{place.we}经济社会高质量发展提供有力法治保障。",
        "(二)主要目标",
        f"到2025年,{place.whole}政府行为全面纳入法治轨道,职责明确、依法行政的政府治理体系日益健全,"
        "行政执法体制机制基本完善,行政执法质量和效能大幅提升,突发事件应对能力显著增强,各地区各层级法治政府建设协调并进。",
    ]
    measures: list[dict[str, Any]] = []
    part = 1
    for area, title in enumerate(AREAS):
        in_area = [(k, s) for k, s in enumerate(specs) if s.area == area]
        if not in_area:
            continue
        part += 1
        lines.append(f"{cn(part)}、{title}")
        for k, s in in_area:
            n = k + 1
            body = "".join(place.words(c) + "。" for c in s.clauses)
            head = place.words(s.head) + "。" if s.head else ""
            bracket, named = _bracket(s, place, r)
            lines.append(f"{n}.{head}{body}{bracket}")
            measures.append({"n": n, "parents": list(s.parents), "kind": s.kind, "bank": s.bank, "area": AREAS[area],
                             "agencies": named, "deadline": _iso_deadline(s.deadline)})
    part += 1
    lines.append(f"{cn(part)}、实施步骤")
    lines.append("本方案所列各项任务除有明确时间要求外,原则上应当在2025年底前完成。"
                 f"各牵头单位要制定具体落实措施,每年12月底前将落实情况报送{place.body('sifa')}。")
    text = "\n".join(lines) + "\n" + _signature(place, place.plan_date)
    record: dict[str, Any] = {
        "file": place.file("plan"), "kind": "plan", "title": place.plan_title, "doc_number": place.plan_number,
        "parent_title": parent.plan_title if parent else CENTRAL_TITLE,
        "parent_doc_number": parent.plan_number if parent else None,
        "parent_file": parent.file("plan") if parent else None,
        "code": place.code, "level": place.level, "date": place.plan_date.isoformat(),
        "measure_count": len(specs), "measures": measures,
    }
    return Document(record["file"], text, record)


# report paragraphs per area: (activity, figure) where a figure is (indicator, template, low, high, unit)
_Figure = tuple[str, int, int, str]  # (indicator, low, high, unit)
ACTIVITIES: dict[int, list[tuple[str, _Figure | None]]] = {
    0: [("深化放管服改革,持续精简行政审批事项,全面推行证明事项告知承诺制", None),
        ("动态调整权责清单,{全}保留权责事项{v}项", ("power-list-items", 800, 6000, "项")),
        ("优化法治化营商环境,依法平等保护各类市场主体产权和合法权益", None)],
    1: [("严格落实行政规范性文件合法性审核机制,全年审查规范性文件{v}件", ("normative-documents-reviewed", 8, 160, "件")),
        ("组织开展规范性文件集中清理,清理规范性文件{v}件", ("normative-documents-cleaned", 20, 400, "件")),
        ("健全规范性文件备案审查制度,做到有件必备、有备必审、有错必纠", None)],
    2: [("严格执行重大行政决策程序,公开重大行政决策事项目录", None),
        ("充分发挥政府法律顾问作用,出具法律意见书{v}份", ("legal-opinions", 15, 600, "份")),
        ("落实重大行政决策合法性审查制度,决策前全部经过合法性审查", None)],
    3: [("全面推行行政执法三项制度,{全}持证行政执法人员{v}名", ("enforcement-staff", 300, 9000, "名")),
        ("深化综合行政执法体制改革,推动执法重心下移", None),
        ("组织开展行政执法案卷评查,规范行政执法行为", None)],
    4: [("自觉接受人大监督和民主监督,按时办结人大代表建议和政协委员提案", None),
        ("全面推进政务公开,主动公开政府信息", None),
        ("强化审计监督,推动审计发现问题整改落实", None)],
    5: [("全年共收到行政复议申请{v}件,依法及时审理", ("reconsideration-applications", 12, 900, "件")),
        ("行政机关负责人出庭应诉率达{v}%", ("head-appearance-rate", 85, 100, "%")),
        ("坚持和发展新时代枫桥经验,排查调处矛盾纠纷{v}件", ("disputes-mediated", 200, 12000, "件"))],
    6: [("组织开展领导干部法治专题培训{v}场", ("training-sessions", 3, 40, "场")),
        ("落实政府常务会议会前学法制度,推动领导干部带头尊法学法守法用法", None),
        ("深入开展法治宣传教育,落实谁执法谁普法普法责任制", None)],
    7: [("将法治政府建设纳入经济社会发展总体规划和年度工作计划", None),
        ("党政主要负责人认真履行推进法治建设第一责任人职责", None),
        ("开展法治政府建设示范创建活动,以创建促提升", None)],
}
PROBLEMS = ("法治政府建设推进不够平衡,部分基层单位工作力量薄弱", "行政执法规范化水平有待进一步提高",
            "运用法治思维和法治方式化解矛盾的能力还有不足", "规范性文件制定质量仍需提升", "法治宣传教育的针对性和实效性有待加强")
DEPARTMENT_AREAS = {"sifa": (1, 3, 5, 6), "fagai": (0, 2, 4), "caizheng": (0, 4, 6), "renshe": (3, 5, 6), "shichang": (0, 3, 5),
                    "gongan": (3, 5, 6), "shenji": (4, 6, 7), "xinfang": (5, 4, 7), "ziran": (3, 5, 0), "shengtai": (3, 4, 6),
                    "yingji": (3, 0, 6), "weijian": (0, 3, 6), "jiaoyu": (0, 6, 7), "zhujian": (3, 0, 5), "jiaotong": (3, 0, 6)}


def _activities(place: Place, areas: list[int], r: random.Random, plan: PlanInfo) -> tuple[list[tuple[int, list[str]]], list[list[Any]]]:
    """Per area, its activity sentences (一是…), and the figures they give."""
    out, figures = [], []
    first = True
    for area in areas:
        sentences = []
        for activity, figure in r.sample(ACTIVITIES[area], r.randint(2, 3)):
            text = place.words(activity)
            if figure is not None:
                value = r.randint(figure[1], figure[2])
                text = text.replace("{v}", str(value))
                figures.append([figure[0], value, figure[3]])
            if first:
                text = f"按照《{plan.title}》确定的任务分工,{text}"
                first = False
            sentences.append(text)
        out.append((area, sentences))
    return out, figures


def _items(sentences: list[str]) -> str:
    return "".join(f"{cn(i + 1)}是{s}。" for i, s in enumerate(sentences))


def write_report(place: Place, year: int, plan: PlanInfo, tree: Tree, seed: int, dept: str | None = None) -> Document:
    kind = f"report-{year}" + (f"-{dept}" if dept else "")
    r = _rng(seed, place.code, kind)
    when = dt.date(year + 1, 1, 8) + dt.timedelta(days=r.randint(0, 75))
    parent = tree.by_code.get(place.parent) if place.parent else None
    lines: list[str] = []
    if dept is None:
        title = f"{place.full}{year}年法治政府建设情况报告"
        own_number = f"{place.abbr}政字〔{year + 1}〕{place.serial}号"
        number: str | None = own_number
        areas = sorted(r.sample(range(len(AREAS)), r.randint(4, 6)))
        lines += [title, own_number]
        if parent is not None:
            lines.append(f"{parent.name}人民政府:")
        speaker, signer = place.we, None
        opening = (f"{year}年,{speaker}坚持以习近平新时代中国特色社会主义思想为指导,深入学习贯彻习近平法治思想,认真贯彻落实"
                   f"中共中央、国务院《{CENTRAL_TITLE}》和《{plan.title}》({plan.number}),扎实推进法治政府建设各项工作。现将有关情况报告如下:")
    else:
        department = place.body(dept)[len(place.unit):]
        title = f"{place.full}{department}{year}年法治政府建设情况报告"
        number = None
        areas = list(DEPARTMENT_AREAS[dept])
        speaker = "我厅" if department.endswith("厅") else ("我委" if department.endswith("委") else "我局")
        signer = place.name + department
        lines += [title, f"{place.name}人民政府:"]
        opening = (f"{year}年,{speaker}在{place.name}人民政府的坚强领导下,认真贯彻落实《{plan.title}》({plan.number}),"
                   "全面推进依法行政,各项工作取得积极成效。现将有关情况报告如下:")
    lines.append(opening)
    blocks, figures = _activities(place, areas, r, plan)
    activities = 0
    if dept is None:
        lines.append(f"一、{year}年法治政府建设主要工作")
        for i, (area, sentences) in enumerate(blocks):
            lines += [f"({cn(i + 1)}){AREAS[area]}", _items(sentences)]
            activities += len(sentences)
    else:
        lines.append("一、主要工作")
        sentences = [s for _, ss in blocks for s in ss]
        lines.append(_items(sentences))
        activities = len(sentences)
    problems = r.sample(PROBLEMS, 3)
    lines += ["二、存在的问题",
              f"{year}年,{speaker}法治政府建设取得了一定成效,但也存在一些问题和不足:"
              + ";".join(f"{cn(i + 1)}是{p}" for i, p in enumerate(problems)) + "。",
              f"三、{year + 1}年工作打算"]
    heads = [h for h in plan.heads if h[1]] if plan.heads else []
    planned = r.sample(heads, min(len(heads), r.randint(3, 5))) if heads else []
    for i, (area, head) in enumerate(sorted(planned)):
        lines.append(f"({cn(i + 1)}){head}。围绕{AREAS[area]},进一步细化工作措施,确保各项任务落到实处。")
    text = "\n".join(lines) + "\n" + _signature(place, when, signer)
    record: dict[str, Any] = {
        "file": place.file(kind), "kind": "department-report" if dept else "report", "title": title, "doc_number": number,
        "parent_title": plan.title, "parent_doc_number": plan.number, "parent_file": plan.file,
        "code": place.code, "level": place.level, "date": when.isoformat(), "year": year, "department": dept,
        "measure_count": 0, "activities": activities, "planned": len(planned), "figures": figures,
    }
    return Document(record["file"], text, record)


# --- allocation and writing -------------------------------------------------------------------

def report_rounds() -> Iterator[list[tuple[int, str | None]]]:
    """The reports a jurisdiction gets, round by round: (year, department or None)."""
    yield [(2022, None), (2023, None)]
    for year in REPORT_YEARS[2:]:
        yield [(year, None)]
    for pair in (DEPARTMENT_YEARS[:2], DEPARTMENT_YEARS[2:]):
        for dept in REPORTING_DEPARTMENTS:
            yield [(year, dept) for year in pair]


def capacity(tree: Tree) -> int:
    return tree.size * (1 + len(REPORT_YEARS) + len(REPORTING_DEPARTMENTS) * len(DEPARTMENT_YEARS))


def allocation(tree: Tree, documents: int, seed: int, report_share: float) -> tuple[list[Place], Iterator[tuple[Place, int, str | None]]]:
    """The places that get a plan (top-down) and, lazily, the reports (place, year, department)."""
    if documents > capacity(tree):
        raise ValueError(f"at most {capacity(tree)} documents: {tree.size} jurisdictions, each a plan, "
                         f"{len(REPORT_YEARS)} reports and {len(REPORTING_DEPARTMENTS) * len(DEPARTMENT_YEARS)} department reports")
    plans = min(tree.size, max(min(documents, len(tree.levels["provincial"])), documents - round(documents * report_share)))
    planned = list(tree.in_order())[:plans]
    rest = documents - plans
    # a seeded rank per jurisdiction, whatever N: a larger corpus reports on the same places first
    order = sorted(planned, key=lambda p: _rng(seed, "report-order", p.code).random())

    def reports() -> Iterator[tuple[Place, int, str | None]]:
        left = rest
        for kinds in report_rounds():
            for place in order:
                for year, dept in kinds:
                    if left == 0:
                        return
                    left -= 1
                    yield place, year, dept

    return planned, reports()


@dataclass
class Summary:
    documents: int
    bytes: int
    seconds: float
    counts: dict[str, Any]


def generate(out_dir: str | Path, documents: int, seed: int = 0, report_share: float = 0.15, force: bool = False) -> Summary:
    """Write the corpus and its manifest into ``out_dir`` (created; it must hold no corpus unless ``force``)."""
    started = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    old = [f for f in out.iterdir() if FILE_NAME.match(f.name) or f.name == "manifest.json"]
    if old and not force:
        raise FileExistsError(f"{out} already holds a corpus ({len(old)} files); pass force=True (--force) to replace it")
    for f in old:
        f.unlink()
    tree = build_tree(seed)
    planned, reports = allocation(tree, documents, seed, report_share)
    specs: dict[str, list[Spec]] = {}  # measures of the plans that may be parents (provinces, prefectures)
    plans: dict[str, PlanInfo] = {}
    by_level: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    by_level_kind: dict[str, Counter[str]] = {level: Counter() for level in LEVELS}
    measures = written = 0
    with (out / "manifest.json").open("w", encoding="utf-8") as manifest:
        manifest.write(json.dumps({"generator": "bench.corpus", "seed": seed, "documents_requested": documents,
                                   "report_share": report_share, "central": {"title": CENTRAL_TITLE, "code": NATIONAL, "level": "national"}},
                                  ensure_ascii=False)[:-1] + ',\n"documents": [\n')
        first = True

        def emit(doc: Document) -> None:
            nonlocal first, written, measures
            data = doc.text.encode("utf-8")
            (out / doc.file).write_bytes(data)
            written += len(data)
            measures += doc.record["measure_count"]
            level, kind = doc.record["level"], doc.record["kind"]
            by_level[level] += 1
            by_kind[kind] += 1
            by_level_kind[level][kind] += 1
            manifest.write(("" if first else ",\n") + json.dumps(doc.record, ensure_ascii=False, separators=(",", ":")))
            first = False

        for place in planned:
            if place.level == "provincial":
                mine = province_measures(place, seed)
            else:
                assert place.parent is not None
                mine = derive(specs[place.parent], place, seed)
            if place.level != "county":
                specs[place.code] = mine
            doc = write_plan(place, mine, tree, seed)
            plans[place.code] = PlanInfo(place.plan_title, place.plan_number, doc.file,
                                         [(s.area, place.words(s.head)) for s in mine])
            emit(doc)
        for place, year, dept in reports:
            emit(write_report(place, year, plans[place.code], tree, seed, dept))
        total = sum(by_level.values())
        counts = {"documents": total, "measures": measures, "bytes": written, "by_level": dict(by_level), "by_kind": dict(by_kind),
                  "by_level_kind": {k: dict(v) for k, v in by_level_kind.items() if v}}
        manifest.write('\n],\n"counts": ' + json.dumps(counts, ensure_ascii=False) + "\n}\n")
    return Summary(total, written, time.perf_counter() - started, counts)


def read_manifest(out_dir: str | Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((Path(out_dir) / "manifest.json").read_text(encoding="utf-8"))
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.corpus", description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", metavar="OUT_DIR")
    parser.add_argument("--documents", "-n", type=int, default=1000, help="documents to write (default 1000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--report-share", type=float, default=0.15,
                        help="share of N given to reports while there are jurisdictions without a plan (default 0.15)")
    parser.add_argument("--force", action="store_true", help="replace a corpus already in OUT_DIR")
    args = parser.parse_args(argv)
    if args.documents < 1 or not 0 <= args.report_share < 1:
        parser.error("--documents must be at least 1 and --report-share in [0, 1)")
    try:
        s = generate(args.out_dir, args.documents, args.seed, args.report_share, args.force)
    except (FileExistsError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    kinds = ", ".join(f"{v} {k}s" for k, v in s.counts["by_kind"].items())
    levels = ", ".join(f"{v} {k}" for k, v in s.counts["by_level"].items())
    print(f"{s.documents} documents ({kinds}; {levels}; {s.counts['measures']} measures), "
          f"{s.bytes / 1e6:.1f} MB in {s.seconds:.1f} s → {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
