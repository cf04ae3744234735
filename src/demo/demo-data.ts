import type { EducationLevel, Proficiency } from '../users/user.types';

/** A made-up but real-sounding county: Yiyang County, Luoyang, Henan, with ten townships. */
export const DEMO_PROVINCE = { code: 'DEMO-41', name: '河南省' };
export const DEMO_CITY = { code: 'DEMO-4103', name: '洛阳市' };
export const DEMO_COUNTY = { code: 'DEMO-410327', name: '宜阳县' };

export const DEMO_TOWNSHIPS: { name: string; villages: [string, string] }[] = [
  { name: '城关镇', villages: ['东关村', '西街村'] },
  { name: '丰李镇', villages: ['丰李村', '马河村'] },
  { name: '柳泉镇', villages: ['柳泉村', '尹村'] },
  { name: '韩城镇', villages: ['福昌村', '宜阳村'] },
  { name: '白杨镇', villages: ['白杨村', '南留村'] },
  { name: '香鹿山镇', villages: ['赵老屯村', '杨店村'] },
  { name: '锦屏镇', villages: ['灵山村', '山底村'] },
  { name: '三乡镇', villages: ['东柏坡村', '南芦村'] },
  { name: '张坞镇', villages: ['张坞村', '苗村'] },
  { name: '盐镇乡', villages: ['盐镇村', '南王村'] },
];

export const DEMO_PASSWORDS = { admin: 'Admin@2026', trainer: 'Trainer@2026', trainee: 'Trainee@2026' };

export const DEMO_ADMIN = { username: 'admin', displayName: '县图书馆管理员' };
export const DEMO_TRAINERS = [
  { username: 'trainer1', displayName: '王老师' },
  { username: 'trainer2', displayName: '李老师' },
  { username: 'trainer3', displayName: '张老师' },
];

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '艳', '勇', '杰', '娟', '涛', '明'];
const EDUCATION: EducationLevel[] = ['primary', 'secondary', 'secondary', 'secondary', 'tertiary', 'tertiary'];
const PROFICIENCY: Proficiency[] = ['none', 'basic', 'basic', 'intermediate', 'intermediate', 'advanced'];

export interface DemoTrainee {
  username: string;
  displayName: string;
  phone: string;
  education: EducationLevel;
  proficiency: Proficiency;
  township: number;
  /** Index of the village within the township, or null for township staff. */
  village: number | null;
}

/** Six trainees per township (60 in all): two at the township office, two in each village. */
export function demoTrainees(): DemoTrainee[] {
  const out: DemoTrainee[] = [];
  for (let t = 0; t < DEMO_TOWNSHIPS.length; t++) {
    for (let k = 0; k < 6; k++) {
      const n = t * 6 + k;
      const phone = `139${String(37000000 + n).padStart(8, '0')}`;
      out.push({
        username: phone,
        displayName: `${SURNAMES[n % SURNAMES.length]}${GIVEN[(n * 7) % GIVEN.length]}${k % 2 ? GIVEN[(n * 3) % GIVEN.length] : ''}`,
        phone,
        education: EDUCATION[(n * 5) % EDUCATION.length],
        proficiency: PROFICIENCY[(n * 7 + t) % PROFICIENCY.length],
        township: t,
        village: k < 2 ? null : Math.floor((k - 2) / 2),
      });
    }
  }
  return out;
}

export const DEMO_COURSE = {
  title: '公共数字文化服务基础',
  level: 'beginner' as const,
  hours: 27,
  description: '面向乡镇综合文化站和村服务点工作人员：电脑与手机基础、数字资源检索、平台操作、活动组织。',
  topics: ['电脑基础', '数字资源检索', '公共文化云平台', '活动组织'],
};

export const DEMO_VENUE = { name: '县图书馆电子阅览室', capacity: 60, address: '宜阳县文化路1号县图书馆二楼' };

/** One class a quarter, three sessions a month (the 5th, 15th and 25th), 09:00–12:00 local time. */
export const DEMO_QUARTER_TOPICS = ['电脑与手机基础', '数字资源检索与利用', '公共文化云平台操作', '文化活动策划与宣传'];
export const DEMO_RRULE = 'FREQ=MONTHLY;BYMONTHDAY=5,15,25';
