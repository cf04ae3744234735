import type { Env } from '../config/env';
import { MESSAGE_LANGUAGES, MESSAGE_TEMPLATES, MessageTemplates, splitParts } from './message-templates';

/** Realistic values, long ones included: what a county's messages look like. */
const SAMPLE = {
  centre: '城关县图书馆',
  classTitle: '计算机基础应用班',
  township: '城关镇',
  startsAt: '2027-03-03T01:00:00.000Z',
  previousStartsAt: '2027-03-02T06:30:00.000Z',
  endsAt: '2027-03-03T03:00:00.000Z',
  startDate: '2027-03-01',
  closesAt: '2027-02-25T10:00:00.000Z',
  dueOn: '2027-04-15',
  venue: '县图书馆三楼培训室',
  trainer: '王老师',
  topic: '文字处理',
  confirmed: 1,
  min: 3,
  count: 12,
  year: 2027,
  names: ['张三', '李四'],
  more: true,
  assignee: '刘明',
  quizTitle: '文字处理单元测验',
  course: '计算机基础应用',
  serial: '2027-Q1-0037',
  verifyUrl: 'https://lms.example.cn/api/certificates/verify/7K3Q-M9XD-0A1B-ZZ22-PQRS',
  townships: [{ name: '城关镇', confirmed: 1, contacts: ['张三 13800000000'] }],
};

describe('MessageTemplates', () => {
  const templates = new MessageTemplates({ TZ_DEFAULT: 'Asia/Shanghai' } as Env);

  it.each(MESSAGE_TEMPLATES.flatMap((t) => MESSAGE_LANGUAGES.map((l) => [t, l] as const)))(
    '%s (%s) renders every part, naming the centre',
    (template, lang) => {
      const m = templates.render(template, lang, SAMPLE);
      expect(m.subject).not.toBe('');
      expect(m.subject).not.toContain('\n');
      expect(m.body).toContain(SAMPLE.centre);
      expect(m.sms).toContain(SAMPLE.centre);
      expect(`${m.subject}${m.sms}${m.body}`).not.toMatch(/\{\{|undefined|\[object/);
    },
  );

  it.each(MESSAGE_TEMPLATES)('%s: the Chinese SMS fits one segment (70 characters)', (template) => {
    const { sms } = templates.render(template, 'zh-CN', { ...SAMPLE, moved: true });
    expect([...sms].length).toBeLessThanOrEqual(70);
    expect(sms.startsWith(`【${SAMPLE.centre}】`)).toBe(true);
  });

  it('writes times in the centre’s time zone, in Chinese by default', () => {
    const { sms } = templates.render('session-reminder', 'zh-CN', SAMPLE);
    expect(sms).toBe('【城关县图书馆】计算机基础应用班将于3月3日周三 09:00在县图书馆三楼培训室上课，请准时参加。');
    expect(templates.render('session-reminder', 'en', SAMPLE).sms).toContain('Wed 3 Mar 09:00');
  });

  it('leaves the place out of an SMS when the session has none yet', () => {
    const { sms, body } = templates.render('session-reminder', 'zh-CN', { ...SAMPLE, venue: null });
    expect(sms).toBe('【城关县图书馆】计算机基础应用班将于3月3日周三 09:00上课，请准时参加。');
    expect(body).toContain('地点：另行通知');
  });

  it('says what changed about a session: its time, or only its place', () => {
    expect(templates.render('session-changed', 'zh-CN', { ...SAMPLE, moved: true }).sms).toBe(
      '【城关县图书馆】计算机基础应用班原定3月2日周二 14:30的课改到3月3日周三 09:00，地点县图书馆三楼培训室。',
    );
    const placeOnly = templates.render('session-changed', 'zh-CN', { ...SAMPLE, moved: false });
    expect(placeOnly.subject).toBe('上课地点变了：计算机基础应用班');
    expect(placeOnly.sms).toBe('【城关县图书馆】计算机基础应用班3月3日周三 09:00的课改在县图书馆三楼培训室上。');
  });

  it('tells a trainer of a cancelled class about the teaching, a trainee about the enrolment', () => {
    expect(templates.render('class-cancelled', 'zh-CN', SAMPLE).sms).toContain('您的报名也一并取消');
    expect(templates.render('class-cancelled', 'zh-CN', { ...SAMPLE, toTrainer: true }).sms).toContain(
      '授课安排随之取消',
    );
  });

  it('never reaches into prototypes', () => {
    const payload = JSON.parse('{"centre":"x","classTitle":"{{constructor}}","__proto__":{"polluted":1}}');
    expect(templates.render('class-cancelled', 'zh-CN', payload).sms).toContain('{{constructor}}');
  });

  it('refuses a template file without its three parts', () => {
    expect(() => splitParts('{{!-- subject --}}\nx\n{{!-- body --}}\ny', 'x.hbs')).toThrow('missing part(s) sms');
  });
});
