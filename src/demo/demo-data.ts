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
