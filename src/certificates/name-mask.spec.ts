import { COMPOUND_SURNAMES, maskHolderName } from './name-mask';

describe('maskHolderName', () => {
  it.each([
    // Single-character surname: surname and last character, the rest masked.
    ['王小明', '王*明'],
    ['李晓明明', '李**明'],
    // Two characters: the given name is masked (showing the last would show it all).
    ['张三', '张*'],
    // Compound surnames stay whole.
    ['欧阳明明', '欧阳*明'],
    ['欧阳晓明明', '欧阳**明'],
    ['欧阳明', '欧阳*'],
    ['司马相如', '司马*如'],
    ['诸葛亮', '诸葛*'],
    ['上官婉儿', '上官*儿'],
    ['东方朔', '东方*'],
    ['皇甫谧', '皇甫*'],
    ['尉迟恭', '尉迟*'],
    ['公孙策', '公孙*'],
    ['慕容复', '慕容*'],
    ['长孙无忌', '长孙*忌'],
    ['宇文化及', '宇文*及'],
    ['司徒雷登', '司徒*登'],
    ['夏侯惇', '夏侯*'],
    ['令狐冲', '令狐*'],
    ['端木赐', '端木*'],
    // A name that is only a compound surname is two characters: masked like 张三.
    ['欧阳', '欧*'],
    // One character shows nothing of it.
    ['明', '*'],
    ['J', '*'],
    // Spaces typed inside a Chinese name do not count.
    [' 王 小明 ', '王*明'],
    // Transliterated names: first and last character and the dots.
    ['买买提·艾力', '买**·*力'],
    ['迪丽热巴·迪力木拉提', '迪***·****提'],
    ['阿·布', '阿·*'],
    // Latin and other scripts: the first letter and a fixed ***.
    ['John Smith', 'J***'],
    ['Li', 'L***'],
    ['Ngũgĩ wa Thiong’o', 'N***'],
    // Characters outside the Basic Multilingual Plane count as one.
    ['𠀋小明', '𠀋*明'],
    ['王小𠀋', '王*𠀋'],
    ['', ''],
  ])('%s → %s', (name, masked) => {
    expect(maskHolderName(name)).toBe(masked);
  });

  it('never shows a whole name of two or more characters', () => {
    const names = ['张三', '欧阳', '王小明', '欧阳明', '欧阳明明', 'Li', 'Bo', 'Anne', '阿·布', 'A·B'];
    for (const name of names) {
      const masked = maskHolderName(name);
      expect({ name, masked, containsStar: masked.includes('*') }).toEqual({ name, masked, containsStar: true });
      expect(masked).not.toBe(name);
    }
  });

  it('keeps only two-character surnames in the compound list', () => {
    expect([...COMPOUND_SURNAMES].filter((s) => Array.from(s).length !== 2)).toEqual([]);
    expect(COMPOUND_SURNAMES.has('欧阳')).toBe(true);
  });
});
