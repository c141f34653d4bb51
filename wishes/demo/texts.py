"""The words of the demo wishes: what residents ask for, per category, what was done,
and the notes staff and residents leave on the way."""

from communities.demo import FENYI_CODE, LESHAN_CODE

from ..models import ClaimerKind, RejectReason

# code: (weight, [(title, description, what was done, a merchant may ask it)]).
# Placeholders: {b} building, {u} unit, {f} floor, {g} school year, {d} days, {elder} a name.
TEXTS = {
    "lighting": (20, [
        ("楼道灯不亮", "{b}栋{u}单元{f}楼楼道灯坏了{d}天，晚上上下楼摸黑，家里老人怕摔跤，希望尽快修好。",
         "已更换LED灯具，楼道恢复照明。", False),
        ("声控灯失灵", "{b}栋{u}单元的声控灯时亮时不亮，跺脚也没反应，晚上进出很不方便。",
         "已联系电工更换声控开关，现已正常。", False),
        ("路灯损坏", "小区大门到{b}栋之间的路灯不亮了，晚上路很黑，下夜班回来不安全。",
         "已联系路灯所更换灯头和线路，路灯恢复。", True),
        ("院坝照明不足", "院坝只有一盏灯，晚上散步、跳坝坝舞看不清脚下，希望加装一两盏路灯。",
         "已在院坝加装太阳能路灯两盏。", True),
        ("车棚灯坏了", "{b}栋旁边的自行车棚灯坏了，晚上停车取车看不见，担心电瓶被偷。",
         "已更换车棚照明灯并加装感应开关。", False),
    ]),
    "accessibility": (8, [
        ("单元门口加装坡道", "{b}栋{u}单元门口有三级台阶，家里老人坐轮椅，每次出门要两个人抬，希望加装坡道。",
         "已协调施工队在单元门口修建无障碍坡道。", False),
        ("楼梯加装扶手", "{b}栋楼梯没有扶手，{f}楼八十多岁的老人上下楼很吃力，希望在楼梯一侧装扶手。",
         "已在楼梯一侧加装不锈钢扶手。", False),
        ("盲道被占用", "小区门口的盲道被电瓶车和杂物占了，视障居民出门很不方便。",
         "已清理盲道上的车辆和杂物，并设置提示牌。", True),
        ("小区门口台阶太高", "小区侧门台阶太高又没有坡道，推婴儿车和轮椅都过不去。",
         "已在侧门台阶旁修建坡道。", False),
    ]),
    "sanitation": (18, [
        ("小区垃圾清运不及时", "小区垃圾桶已经满了{d}天没人清运，天热气味很大，招苍蝇蚊子。",
         "已联系环卫所清运，并把清运改为每日一次。", True),
        ("楼道堆放杂物", "{b}栋{u}单元楼道堆满旧家具和纸箱，影响通行，还有消防隐患。",
         "已组织志愿者和住户清理楼道杂物。", False),
        ("化粪池外溢", "{b}栋后面的化粪池冒水，污水流到路上，气味难闻。",
         "已联系清掏车抽排化粪池并冲洗路面。", False),
        ("建筑垃圾未清运", "有住户装修后把建筑垃圾堆在{b}栋旁边，一个多月了还没拉走。",
         "已督促装修住户清运，剩余部分由社区联系车辆拉走。", False),
        ("绿化带垃圾多", "小区绿化带里塑料袋、烟头很多，好久没人打扫了。",
         "已组织志愿者清扫绿化带，并增设垃圾桶。", True),
    ]),
    "repairs": (22, [
        ("单元门禁损坏", "{b}栋{u}单元门禁坏了，门一直关不上，外来人员随便进出。",
         "已更换门禁锁具和闭门器，门可正常关闭。", False),
        ("下水管道堵塞", "{b}栋{u}单元下水管道堵了，一楼住户家里返水，已经{d}天了。",
         "已疏通管道，并提醒住户不要往下水道倒油污。", False),
        ("屋顶漏水", "{b}栋顶楼防水层老化，一下雨{f}楼住户家里就漏水。",
         "已重做顶楼防水层，雨后回访不再漏水。", False),
        ("院内座椅损坏", "院坝里休息的座椅木板断了，老人坐着不安全，希望修一下。",
         "已更换座椅木板并刷漆。", False),
        ("井盖松动", "小区主干道上的井盖松动了，车开过去哐哐响，怕有人踩空。",
         "已联系产权单位更换井盖并加固。", True),
        ("晾衣架损坏", "{b}栋楼下公共晾衣架的横杆断了，大家晒被子没地方。",
         "已焊接修复晾衣架横杆。", False),
    ]),
    "elderly": (14, [
        ("老人助餐", "独居老人{elder}腿脚不便，自己做饭困难，希望社区老年食堂能送餐上门。",
         "已登记老年食堂助餐，每天中午送餐上门。", False),
        ("上门理发", "{b}栋{f}楼有位长期卧床的老人，想请志愿者上门帮忙理发。",
         "已安排志愿者每月上门理发一次。", False),
        ("陪同就医", "老人每月要去医院复查，子女都在外地，希望有志愿者陪同。",
         "已安排志愿者每月陪同复查。", False),
        ("独居老人安装呼叫器", "{b}栋独居老人{elder}有心脏病，希望帮忙安装一键呼叫设备。",
         "已安装一键呼叫设备，并登记家属联系方式。", False),
        ("代购生活用品", "老人行动不便，希望有人每周帮忙代买米面油等生活用品。",
         "已安排志愿者每周代购一次生活用品。", False),
    ]),
    "education": (9, [
        ("小学生课后辅导", "我们是双职工家庭，孩子读小学{g}年级，放学后没人辅导作业，希望社区开设课后辅导。",
         "已开设“四点半课堂”，孩子可按时参加。", False),
        ("暑期托管", "放假后孩子没人照看，希望社区能办托管班，安排看书、写作业。",
         "已开办假期托管班，每周一至周五开放。", False),
        ("留守儿童结对辅导", "{b}栋有个留守儿童跟着奶奶生活，成绩下滑，希望有志愿者结对辅导。",
         "已安排大学生志愿者每周二、四晚结对辅导。", False),
        ("捐赠学习用品", "家里困难，孩子读{g}年级，缺书包和文具，希望得到帮助。",
         "已送去书包、文具和课外书。", False),
    ]),
    "other": (9, [
        ("加装电动车充电桩", "小区没有电动车充电桩，有人从楼上拉飞线充电，很危险，希望加装充电桩。",
         "已协调企业在小区安装充电桩20个。", True),
        ("增设快递柜", "小区没有快递柜，老人取快递要走很远，希望增设一组快递柜。",
         "已协调快递企业在小区门口设置快递柜。", True),
        ("活动室开放时间", "社区活动室周末不开门，希望周末也能开放，方便老人下棋打牌。",
         "已调整活动室开放时间，周末上午开放。", False),
        ("小区停车乱", "小区里乱停车，{b}栋门口经常被堵，消防车都进不来。",
         "已施划停车位和消防通道标线，并张贴通知。", True),
    ]),
}
ESCALATE_NOTES = ["涉及资金和施工，社区无法解决，报街道协调。", "需要街道协调市政、环卫等部门。",
                  "需中心协调专业维修力量。"]
REJECT_NOTES = {
    RejectReason.DUPLICATE: "与同楼栋居民此前提交的心愿重复，已合并办理。",
    RejectReason.OUT_OF_SCOPE: "属于物业服务合同范围，已转告物业公司，并告知居民联系方式。",
    RejectReason.NOT_FEASIBLE: "现场勘查后受场地限制无法实施，已上门向居民说明。",
}
WITHDRAW_NOTES = ["已自行解决。", "家人已帮忙处理好了。", "重复提交了，撤回这一条。"]
REOPEN_NOTES = ["修好没两天又坏了。", "只来看了一次就没下文了。", "问题还在，没有根治。"]
RATING_COMMENTS = {5: ["很满意，谢谢社区！", "处理很及时，点赞。", ""], 4: ["挺好的。", "比较及时。", ""],
                   3: ["一般，等了比较久。", ""], 2: ["拖的时间太长了。"], 1: ["问题没有真正解决。"]}
# Who claims what (认领): category → [(kind, names)]; no names = a named party member,
# "@power" etc. = the paired unit (双报到单位) of that kind in the wish's district.
CLAIMERS = {
    "lighting": [(ClaimerKind.PAIRED_UNIT, ["@power"]), (ClaimerKind.PARTY_MEMBER, None),
                 (ClaimerKind.CARING_MERCHANT, ["惠民五金店"])],
    "accessibility": [(ClaimerKind.PAIRED_UNIT, ["@housing"]), (ClaimerKind.PARTY_MEMBER, None)],
    "sanitation": [(ClaimerKind.VOLUNTEER_TEAM, ["{community}志愿服务队", "红马甲志愿服务队"]),
                   (ClaimerKind.PARTY_MEMBER, None)],
    "repairs": [(ClaimerKind.CARING_MERCHANT, ["惠民五金店", "安居建材店"]), (ClaimerKind.PARTY_MEMBER, None),
                (ClaimerKind.PAIRED_UNIT, ["@housing"])],
    "elderly": [(ClaimerKind.VOLUNTEER_TEAM, ["{community}志愿服务队", "红马甲志愿服务队"]),
                (ClaimerKind.PARTY_MEMBER, None),
                (ClaimerKind.CARING_MERCHANT, ["李记面馆", "好邻居便民超市", "老王理发店", "仁和大药房"]),
                (ClaimerKind.PAIRED_UNIT, ["@hospital"])],
    "education": [(ClaimerKind.VOLUNTEER_TEAM, ["大学生志愿服务队"]), (ClaimerKind.PARTY_MEMBER, None),
                  (ClaimerKind.PAIRED_UNIT, ["@education"])],
    "other": [],
}
PAIRED_UNITS = {
    LESHAN_CODE: {"power": "国网乐山供电公司", "housing": "市住房和城乡建设局", "hospital": "市人民医院",
                  "education": "市中区教育局"},
    FENYI_CODE: {"power": "国网分宜县供电公司", "housing": "分宜县住房和城乡建设局", "hospital": "分宜县人民医院",
                 "education": "分宜县教育体育局"},
}
SHOPS = ["{s}记面馆", "便民超市", "{s}氏理发店", "好邻居水果店", "{s}记五金店", "社区药房"]
