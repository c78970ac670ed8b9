// Deterministic demo customers: Chinese and English names, realistic Chinese mobile, landline and 400
// numbers plus some international ones, tags, notes and call history. The same seed gives the same
// customers everywhere (desktop first start, backend demo data, benchmarks with a million rows).
import type { CustomerInput } from '../domain/customer-input';
import type { Tier } from '../domain/customer';

export interface DemoInteraction {
  id: string;
  customerId: string;
  at: number;
  direction: 'inbound' | 'outbound';
  channel: 'voice';
  agent: string;
  disposition: string;
  note: string;
  durationS: number;
}

export interface DemoCustomer {
  customer: CustomerInput & { phones: { label: string; number: string }[] };
  interactions: DemoInteraction[];
}

/** mulberry32: tiny, fast, good enough for test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔汤欧阳';
const GIVEN = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鑫斌宇浩凯健俊帆帅旭宁婷雪琳晨欣怡思佳子涵梓轩雨泽一诺文博嘉怡浩然';
const FIRST = ['James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth', 'William', 'Susan', 'Richard', 'Jessica', 'Joseph', 'Sarah', 'Thomas', 'Karen', 'Charles', 'Lisa', 'Daniel', 'Nancy', 'Matthew', 'Sandra', 'Anthony', 'Emily', 'Mark', 'Ashley', 'Olivia', 'Noah', 'Grace', 'Lucas', 'Chloe', 'Ethan', 'Sophie', 'Oliver', 'Amelia', 'Henry', 'Isla', 'Leo'];
const LAST = ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Wilson', 'Anderson', 'Taylor', 'Thomas', 'Moore', 'Jackson', 'Martin', 'Lee', 'Thompson', 'White', 'Harris', 'Clark', 'Lewis', 'Walker', 'Hall', 'Young', 'King', 'Wright', 'Scott', 'Green', 'Baker', 'Adams', 'Nelson', 'Hill', 'Campbell', 'Mitchell', 'Roberts', 'Carter', 'Phillips', 'Evans', 'Turner', 'Parker'];
const CITIES_ZH = ['北京', '上海', '广州', '深圳', '杭州', '成都', '武汉', '南京', '苏州', '重庆', '天津', '西安'];
const TRADES_ZH = ['科技', '贸易', '物流', '医药', '教育', '餐饮', '建材', '电子', '文化传媒', '金融服务', '汽车销售', '网络'];
const COMPANY_EN_A = ['Northwind', 'Contoso', 'Fabrikam', 'Harbor', 'Bluewater', 'Silverline', 'Redwood', 'Summit', 'Lotus', 'Jade', 'Pacific', 'Golden Gate'];
const COMPANY_EN_B = ['Traders', 'Logistics', 'Pharma', 'Systems', 'Foods', 'Motors', 'Media', 'Capital', 'Electronics', 'Textiles'];
const TAGS = ['VIP', '投诉', '续约', '新客户', '大客户', '需回访', 'billing', 'enterprise', 'prefers-email', 'warranty', 'churn-risk', 'english-speaking'];
const NOTES = [
  '偏好下午联系。',
  '上次反映发票抬头有误，已更正。',
  '对续约价格敏感，谈判前请先查看折扣政策。',
  '客户要求所有沟通抄送财务部门。',
  'Prefers English; speaks slowly on the phone.',
  'Asked twice about the delivery delay in March — apologise first.',
  'Decision maker is the CFO; this contact handles day-to-day orders.',
  'Call back only between 9:00 and 11:00.',
  '',
  '',
];
const DISPOSITIONS = ['resolved', 'resolved', 'resolved', 'callback', 'escalated', 'sale', 'info', 'complaint'];
const CALL_NOTES = [
  '咨询订单物流状态，已告知预计到达时间。',
  '发票重开，已提交财务。',
  '投诉送货延迟，已升级至主管。',
  '确认续约条款，客户同意下周签约。',
  'Billing question about the last invoice; explained the pro-rata charge.',
  'Reported a faulty unit; RMA created.',
  'Wanted to upgrade to the annual plan; sent a quote by email.',
  'Asked for a callback from the technical team.',
];
const AGENTS = ['陈晓', '李娜', '王强', 'Emma Liu', 'Tom Zhang', '赵敏', 'Kevin Wu', '孙丽'];
const MOBILE_PREFIXES = ['130', '131', '132', '133', '135', '136', '137', '138', '139', '150', '151', '152', '153', '155', '156', '157', '158', '159', '166', '173', '176', '177', '180', '181', '182', '183', '185', '186', '187', '188', '189', '191', '198', '199'];
const AREAS: [string, number][] = [['010', 8], ['021', 8], ['020', 8], ['0755', 8], ['0571', 8], ['028', 8], ['027', 8], ['025', 8], ['0512', 8], ['023', 8], ['022', 8], ['029', 8]];

function pick<T>(r: () => number, a: readonly T[]): T {
  return a[Math.floor(r() * a.length)] as T;
}
function digits(r: () => number, n: number, first = '0123456789'): string {
  let s = pick(r, first.split(''));
  for (let i = 1; i < n; i++) s += Math.floor(r() * 10);
  return s;
}

function mobile(r: () => number): string {
  const n = pick(r, MOBILE_PREFIXES) + digits(r, 8);
  // Formats PBXs and CRMs really use for the same number.
  switch (Math.floor(r() * 5)) {
    case 0:
      return `+86 ${n.slice(0, 3)} ${n.slice(3, 7)} ${n.slice(7)}`;
    case 1:
      return `${n.slice(0, 3)}-${n.slice(3, 7)}-${n.slice(7)}`;
    default:
      return n;
  }
}
function landline(r: () => number): string {
  const [area, len] = pick(r, AREAS);
  const local = digits(r, len, '23456');
  return r() < 0.5 ? `${area}-${local}` : `(${area}) ${local.slice(0, 4)} ${local.slice(4)}`;
}
function international(r: () => number): string {
  // Prefixes checked against libphonenumber's full metadata; only the last four digits are random.
  switch (Math.floor(r() * 4)) {
    case 0:
      return `+1 ${pick(r, ['415', '212', '646', '312', '617'])} ${pick(r, ['202', '333', '860'])} ${digits(r, 4)}`;
    case 1:
      return `+44 20 7946 ${digits(r, 4)}`;
    case 2:
      return `+852 ${pick(r, ['5123', '5234', '6123', '6234', '9123', '9234', '9812', '6987'])} ${digits(r, 4)}`;
    default:
      return `+65 ${pick(r, ['8123', '8234', '9123', '9234', '9345', '8765'])} ${digits(r, 4)}`;
  }
}

export interface DemoOptions {
  seed?: number;
  /** First index (ids are C0000001 …), so large sets can be generated in chunks. */
  start?: number;
  /** History per customer is generated relative to this time. */
  now?: number;
  /** Include the hand-written customers used by the demo call and the tests (default true). */
  stories?: boolean;
}

const DAY = 86_400_000;

/** Customers the demo caller and the end-to-end tests rely on. Numbers are reserved: the generator never produces them. */
export const STORY_NUMBERS = {
  /** One customer, gold tier, with history: the default demo caller. */
  single: '13800138000',
  /** A company switchboard shared by two customers: the agent picks one. */
  shared: '01088886666',
  /** Matches nobody: a new-customer card. */
  unknown: '13911112222',
} as const;

function stories(now: number): DemoCustomer[] {
  const ix = (customerId: string, n: number, daysAgo: number, disposition: string, note: string, agent: string): DemoInteraction => ({
    id: `${customerId}-H${n}`,
    customerId,
    at: now - daysAgo * DAY,
    direction: 'inbound',
    channel: 'voice',
    agent,
    disposition,
    note,
    durationS: 180 + n * 37,
  });
  return [
    {
      customer: {
        id: 'C-STORY-1',
        name: '王芳',
        company: '北京华信科技有限公司',
        tier: 'gold',
        tags: ['VIP', '续约'],
        notes: '续约谈判中，合同 6 月到期。偏好下午联系。',
        phones: [
          { label: 'mobile', number: '138 0013 8000' },
          { label: 'office', number: '010-6552 8899' },
        ],
      },
      interactions: [
        ix('C-STORY-1', 1, 2, 'callback', '询问续约折扣，答应周五前回电。', '李娜'),
        ix('C-STORY-1', 2, 9, 'resolved', '发票抬头更正，已重新开具。', '陈晓'),
        ix('C-STORY-1', 3, 40, 'resolved', '开通两个新账号。', 'Tom Zhang'),
      ],
    },
    {
      customer: {
        id: 'C-STORY-2',
        name: 'Michael Chen',
        company: 'Harbor Logistics (Beijing)',
        tier: 'platinum',
        tags: ['enterprise', 'english-speaking'],
        notes: 'Head of procurement. Calls from the office switchboard.',
        phones: [{ label: 'switchboard', number: '010-8888 6666' }],
      },
      interactions: [ix('C-STORY-2', 1, 1, 'escalated', 'Shipment stuck in customs; escalated to the logistics desk.', 'Emma Liu')],
    },
    {
      customer: {
        id: 'C-STORY-3',
        name: '刘洋',
        company: 'Harbor Logistics (Beijing)',
        tier: 'standard',
        tags: ['billing'],
        notes: '财务对接人。',
        phones: [{ label: 'switchboard', number: '(010) 8888 6666' }],
      },
      interactions: [ix('C-STORY-3', 1, 5, 'resolved', '核对三月账单。', '王强')],
    },
  ];
}

const RESERVED = ['13800138000', '1088886666', '13911112222'];

/** Generate `count` customers (story customers first when `stories` is on and start is 0). */
export function* demoCustomers(count: number, opts: DemoOptions = {}): Generator<DemoCustomer> {
  const seed = opts.seed ?? 20261124;
  const start = opts.start ?? 0;
  const now = opts.now ?? Date.now();
  let produced = 0;
  if ((opts.stories ?? true) && start === 0) {
    for (const s of stories(now)) {
      if (produced >= count) return;
      produced++;
      yield s;
    }
  }
  for (let i = start + produced; produced < count; i++, produced++) {
    const r = prng(seed ^ Math.imul(i + 1, 0x9e3779b1));
    const chinese = r() < 0.65;
    const name = chinese
      ? (r() < 0.02 ? '欧阳' : pick(r, SURNAMES.split(''))) + pick(r, GIVEN.split('')) + (r() < 0.6 ? pick(r, GIVEN.split('')) : '')
      : `${pick(r, FIRST)} ${pick(r, LAST)}`;
    const company =
      r() < 0.25
        ? ''
        : chinese && r() < 0.8
          ? `${pick(r, CITIES_ZH)}${pick(r, ['华', '恒', '鑫', '瑞', '博', '安', '远', '新'])}${pick(r, ['信', '达', '通', '泰', '源', '盛', '创', '和'])}${pick(r, TRADES_ZH)}有限公司`
          : `${pick(r, COMPANY_EN_A)} ${pick(r, COMPANY_EN_B)}`;
    const tierRoll = r();
    const tier: Tier = tierRoll < 0.03 ? 'platinum' : tierRoll < 0.12 ? 'gold' : tierRoll < 0.35 ? 'silver' : 'standard';
    const tags: string[] = [];
    const nTags = Math.floor(r() * 3);
    for (let t = 0; t < nTags; t++) tags.push(pick(r, TAGS));
    const phones: { label: string; number: string }[] = [];
    const nPhones = r() < 0.7 ? 1 : r() < 0.8 ? 2 : 3;
    while (phones.length < nPhones) {
      const k = r();
      const number = k < 0.6 ? mobile(r) : k < 0.85 ? landline(r) : k < 0.9 ? `400-${digits(r, 3, '1235678')}-${digits(r, 4)}` : international(r);
      const d = number.replace(/\D/g, '');
      if (RESERVED.some((x) => d.endsWith(x))) continue;
      phones.push({ label: k < 0.6 ? 'mobile' : k < 0.85 ? 'office' : k < 0.9 ? 'hotline' : 'overseas', number });
    }
    const id = `C${String(i + 1).padStart(7, '0')}`;
    const interactions: DemoInteraction[] = [];
    const nHist = Math.floor(r() * r() * 7);
    let at = now - Math.floor(r() * 3 * DAY);
    for (let h = 0; h < nHist; h++) {
      interactions.push({
        id: `${id}-H${h + 1}`,
        customerId: id,
        at,
        direction: r() < 0.8 ? 'inbound' : 'outbound',
        channel: 'voice',
        agent: pick(r, AGENTS),
        disposition: pick(r, DISPOSITIONS),
        note: pick(r, CALL_NOTES),
        durationS: 30 + Math.floor(r() * 900),
      });
      at -= Math.floor((1 + r() * 40) * DAY);
    }
    yield {
      customer: { id, name, company, tier, tags, notes: pick(r, NOTES), phones, updatedAt: now - Math.floor(r() * 365) * DAY },
      interactions,
    };
  }
}
