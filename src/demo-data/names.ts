/**
 * Name pools for the demo-data generator: Latin and Chinese team, person, company and course
 * names. Some names deliberately contain commas, quotes, apostrophes and non-Latin scripts so
 * that CSV quoting and UTF-8 handling of the import are exercised.
 */
import type { Random } from './random';

/** [hanzi, pinyin] */
type Hanzi = readonly [string, string];

const CHINESE_SURNAMES: readonly Hanzi[] = [
  ['王', 'Wang'], ['李', 'Li'], ['张', 'Zhang'], ['刘', 'Liu'], ['陈', 'Chen'], ['杨', 'Yang'],
  ['黄', 'Huang'], ['赵', 'Zhao'], ['吴', 'Wu'], ['周', 'Zhou'], ['徐', 'Xu'], ['孙', 'Sun'],
  ['马', 'Ma'], ['朱', 'Zhu'], ['胡', 'Hu'], ['郭', 'Guo'], ['何', 'He'], ['高', 'Gao'],
  ['林', 'Lin'], ['罗', 'Luo'], ['郑', 'Zheng'], ['梁', 'Liang'], ['谢', 'Xie'], ['宋', 'Song'],
  ['唐', 'Tang'], ['许', 'Xu'], ['韩', 'Han'], ['冯', 'Feng'], ['邓', 'Deng'], ['曹', 'Cao'],
  ['彭', 'Peng'], ['曾', 'Zeng'], ['肖', 'Xiao'], ['田', 'Tian'], ['董', 'Dong'], ['袁', 'Yuan'],
  ['潘', 'Pan'], ['蒋', 'Jiang'], ['蔡', 'Cai'], ['叶', 'Ye'], ['苏', 'Su'], ['魏', 'Wei'],
  ['欧阳', 'Ouyang'], ['司马', 'Sima'], ['诸葛', 'Zhuge'],
];

const CHINESE_GIVEN_NAMES: readonly Hanzi[] = [
  ['伟', 'Wei'], ['芳', 'Fang'], ['娜', 'Na'], ['秀英', 'Xiuying'], ['敏', 'Min'], ['静', 'Jing'],
  ['丽', 'Li'], ['强', 'Qiang'], ['磊', 'Lei'], ['军', 'Jun'], ['洋', 'Yang'], ['勇', 'Yong'],
  ['艳', 'Yan'], ['杰', 'Jie'], ['娟', 'Juan'], ['涛', 'Tao'], ['明', 'Ming'], ['超', 'Chao'],
  ['秀兰', 'Xiulan'], ['霞', 'Xia'], ['平', 'Ping'], ['刚', 'Gang'], ['晨', 'Chen'],
  ['浩然', 'Haoran'], ['子涵', 'Zihan'], ['欣怡', 'Xinyi'], ['梓萱', 'Zixuan'], ['宇轩', 'Yuxuan'],
  ['思远', 'Siyuan'], ['雨桐', 'Yutong'], ['一鸣', 'Yiming'], ['佳琪', 'Jiaqi'], ['俊杰', 'Junjie'],
  ['晓东', 'Xiaodong'], ['海燕', 'Haiyan'], ['建华', 'Jianhua'], ['志强', 'Zhiqiang'], ['婷', 'Ting'],
];

const WESTERN_FIRST_NAMES: readonly string[] = [
  'James', 'Mary', 'John', 'Patricia', 'Robert', 'Jennifer', 'Michael', 'Linda', 'David',
  'Elizabeth', 'William', 'Barbara', 'Richard', 'Susan', 'Thomas', 'Jessica', 'Daniel', 'Sarah',
  'Matthew', 'Karen', 'Anna', 'Lukas', 'Sophie', 'Jonas', 'Emma', 'Noah', 'Olivia', 'Liam',
  'Chloé', 'José', 'Zoë', 'Søren', 'Aurélie', 'Mateo', 'Priya', 'Arjun', 'Fatima', 'Omar',
  'Yuki', 'Hiroshi', 'Ana', 'Björn', 'Siobhán', 'Niamh',
];

const WESTERN_LAST_NAMES: readonly string[] = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez',
  'Martinez', 'Wilson', 'Anderson', 'Taylor', 'Thomas', 'Moore', 'Martin', 'Lee', 'Clark',
  'Müller', 'Schmidt', 'Schneider', 'Fischer', 'Dubois', 'Lefèvre', "O'Brien", "O'Connor",
  'van der Berg', 'de la Cruz', 'Nakamura', 'Tanaka', 'Kowalski', 'Nowak', 'Jensen', 'Rossi',
  'Patel', 'Singh', 'Haddad', 'Okafor', 'Andersson', 'Novák',
];

/** Plain ASCII for e-mail local parts: drop diacritics, keep letters only. */
export function asciiSlug(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ø/g, 'o')
    .replace(/Ø/g, 'O')
    .toLowerCase()
    .replace(/[^a-z]+/g, '');
}

export interface PersonName {
  /** the display name as the CRM stores it */
  name: string;
  /** an ASCII rendering for e-mail addresses, e.g. "wei.li" */
  emailLocal: string;
}

/**
 * A person name: Chinese (李伟), pinyin + hanzi mixed (Li Wei 李伟), Western (Anna Müller), and
 * now and then "Last, First" (with a comma, so the CSV field needs quoting).
 */
export function personName(rng: Random): PersonName {
  const u = rng.next();
  if (u < 0.4) {
    const [surname, surnamePinyin] = rng.pick(CHINESE_SURNAMES);
    const [given, givenPinyin] = rng.pick(CHINESE_GIVEN_NAMES);
    const local = `${asciiSlug(givenPinyin)}.${asciiSlug(surnamePinyin)}`;
    if (u < 0.28) return { name: `${surname}${given}`, emailLocal: local };
    return { name: `${surnamePinyin} ${givenPinyin} ${surname}${given}`, emailLocal: local };
  }
  const first = rng.pick(WESTERN_FIRST_NAMES);
  const last = rng.pick(WESTERN_LAST_NAMES);
  const local = `${asciiSlug(first)}.${asciiSlug(last)}`;
  if (u < 0.43) return { name: `${last}, ${first}`, emailLocal: local };
  return { name: `${first} ${last}`, emailLocal: local };
}

const CHINESE_CITIES = ['上海', '北京', '深圳', '广州', '杭州', '成都', '南京', '武汉', '苏州', '西安'];
const CHINESE_BRANDS = ['星辰', '华信', '鼎盛', '恒通', '瑞丰', '嘉禾', '远航', '金桥', '博达', '新元'];
const CHINESE_TRADES = ['贸易', '科技', '物流', '电子', '餐饮', '医疗器械', '文化传媒', '建材'];
const LATIN_BRANDS = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Northwind', 'Contoso', 'Fabrikam', 'Tailspin', 'Wingtip', 'Blue Yonder'];
const LATIN_TRADES = ['Trading', 'Logistics', 'Foods', 'Electronics', 'Health', 'Media', 'Motors', 'Textiles'];
const LATIN_SUFFIXES = ['Co., Ltd.', 'GmbH', 'Ltd', 'Inc.', 'S.A.', 'LLC', 'B.V.', 'AG'];

/** A company name, Chinese (上海星辰贸易有限公司) or Latin (Acme Trading Co., Ltd.). */
export function companyName(rng: Random): string {
  if (rng.chance(0.45)) {
    return `${rng.pick(CHINESE_CITIES)}${rng.pick(CHINESE_BRANDS)}${rng.pick(CHINESE_TRADES)}有限公司`;
  }
  const name = `${rng.pick(LATIN_BRANDS)} ${rng.pick(LATIN_TRADES)} ${rng.pick(LATIN_SUFFIXES)}`;
  // A few names carry double quotes, which CSV must escape as "".
  return rng.chance(0.03) ? name.replace(/^(\S+)/, '"$1"') : name;
}

/** Chinese numeral for 1..99 (一, 二, …, 十, 十一, 二十三). */
export function chineseNumeral(n: number): string {
  const digits = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
  if (n < 1 || n > 99 || !Number.isInteger(n)) return String(n);
  if (n < 10) return digits[n] as string;
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${tens === 1 ? '' : digits[tens]}十${digits[ones]}`;
}

/** Org-level departments: [Chinese, Latin]. */
export const DEPARTMENTS: readonly (readonly [string, string])[] = [
  ['客户服务部', 'Customer Care'],
  ['大客户部', 'Key Accounts'],
  ['售后服务中心', 'After-Sales Service'],
  ['数字渠道部', 'Digital Channels'],
  ['技术支持部', 'Technical Support'],
  ['销售支持部', 'Sales Support'],
  ['会员服务部', 'Membership Services'],
  ['渠道合作部', 'Partner Care'],
];

/** Regions: [Chinese short name, Latin name]. */
export const REGIONS: readonly (readonly [string, string])[] = [
  ['华东', 'East China'],
  ['华南', 'South China'],
  ['华北', 'North China'],
  ['西南', 'Southwest'],
  ['华中', 'Central China'],
  ['东北', 'Northeast'],
  ['西北', 'Northwest'],
  ['港澳', 'Hong Kong & Macau'],
  ['欧洲', 'Europe'],
  ['北美', 'North America'],
  ['东南亚', 'Southeast Asia'],
  ['中东', 'Middle East'],
];

const LATIN_TEAM_NICKNAMES = ['Phoenix', 'Falcon', 'Orion', 'Aurora', 'Atlas', 'Nova', 'Summit', 'Harbor'];

/** Department name; the Chinese or Latin form alternates, with a number past the pool. */
export function departmentName(index: number, chinese: boolean): string {
  const [zh, en] = DEPARTMENTS[index % DEPARTMENTS.length] as readonly [string, string];
  const round = Math.floor(index / DEPARTMENTS.length);
  if (chinese) return round === 0 ? zh : `${zh}${chineseNumeral(round + 1)}`;
  return round === 0 ? en : `${en} ${round + 1}`;
}

/** Regional group name, e.g. 华东区 / "East China Region". */
export function regionName(index: number, chinese: boolean): string {
  const [zh, en] = REGIONS[index % REGIONS.length] as readonly [string, string];
  const round = Math.floor(index / REGIONS.length);
  const suffix = round === 0 ? '' : ` ${round + 1}`;
  return chinese ? `${zh}区${round === 0 ? '' : chineseNumeral(round + 1)}` : `${en} Region${suffix}`;
}

/**
 * Leaf team name inside a region, e.g. 华东客服一组, "East China Team 2",
 * "Team Phoenix, East China" (with a comma).
 */
export function teamName(regionIndex: number, ordinal: number, chinese: boolean, rng: Random): string {
  const [zh, en] = REGIONS[regionIndex % REGIONS.length] as readonly [string, string];
  const round = Math.floor(regionIndex / REGIONS.length);
  const regionZh = round === 0 ? zh : `${zh}${chineseNumeral(round + 1)}`;
  const regionEn = round === 0 ? en : `${en} ${round + 1}`;
  if (chinese) return `${regionZh}客服${chineseNumeral(ordinal)}组`;
  if (rng.chance(0.25)) return `Team ${rng.pick(LATIN_TEAM_NICKNAMES)} ${ordinal}, ${regionEn}`;
  return `${regionEn} Team ${ordinal}`;
}

export const AGENT_TITLES: readonly string[] = [
  'Customer Service Representative',
  'Senior Agent',
  'Account Manager',
  'Support Specialist',
  '客服专员',
  '高级客服专员',
  '客户经理',
];

export const TEAM_LEAD_TITLES: readonly string[] = ['Team Lead', '组长', 'Team Lead, Tier 2'];

export const SEGMENTS: readonly string[] = ['Enterprise', 'SMB', 'Consumer', 'VIP', '大客户', '中小企业'];

/** Free-text ticket categories (not an enumeration in the contract). */
export const TICKET_CATEGORIES: readonly string[] = [
  'billing',
  'delivery',
  'product question',
  'technical issue',
  'account',
  'returns',
  'Billing',
  '退换货',
  '发票',
  'installation',
];

/** The course every new hire takes in the first two weeks. */
export const ONBOARDING_COURSE = '新员工入职培训';

export const COURSES: readonly string[] = [
  'Active Listening',
  'Complaint Handling (LAST model)',
  'De-escalation, Level 2',
  'Product Knowledge: "Pro" Line',
  'CRM System Basics',
  'Data Privacy & GDPR',
  'Upselling Basics',
  'Time Management',
  '产品知识培训',
  '客户投诉处理技巧',
  'CRM 系统操作',
  '沟通技巧进阶',
];
