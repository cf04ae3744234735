/**
 * Two-character (compound) Chinese surnames: the holder's surname is shown whole, so 欧阳明 reads
 * as 欧阳* and not 欧**. The common ones of the Hundred Family Surnames and a few more.
 */
// prettier-ignore
export const COMPOUND_SURNAMES: ReadonlySet<string> = new Set([
  '欧阳', '太史', '端木', '上官', '司马', '东方', '独孤', '南宫', '万俟', '闻人', '夏侯', '诸葛', '尉迟', '公羊',
  '赫连', '澹台', '皇甫', '宗政', '濮阳', '公冶', '太叔', '申屠', '公孙', '慕容', '仲孙', '钟离', '长孙', '宇文',
  '司徒', '鲜于', '司空', '闾丘', '子车', '亓官', '司寇', '巫马', '公西', '颛孙', '壤驷', '公良', '漆雕', '乐正',
  '宰父', '谷梁', '拓跋', '夹谷', '轩辕', '令狐', '段干', '百里', '呼延', '东郭', '南门', '羊舌', '微生', '梁丘',
  '左丘', '东门', '西门', '第五', '即墨', '达奚', '褚师', '淳于', '完颜',
]);

const HAN = /\p{Script=Han}/u;
/** The dots between the parts of a transliterated name (买买提·艾力): kept, so the shape stays readable. */
const NAME_DOTS = /^[·•・．.]$/u;

/**
 * The holder's name as the public verification shows it: enough to match the person in front
 * of you, never the whole name.
 * - Chinese: the surname (compound surnames whole) and the last character; every other
 *   character becomes `*`: 王小明 → 王*明, 欧阳明明 → 欧阳*明, 欧阳晓明明 → 欧阳**明. When that
 *   would show every character, the given name is masked instead: 张三 → 张*, 欧阳明 → 欧阳*.
 *   Spaces are dropped first (王 小明 is 王小明).
 * - A transliterated name with dots (买买提·艾力): its first and last characters, the dots,
 *   and `*` for the rest (买**·*力).
 * - Any other name (Latin letters, other scripts): its first character and `***`, whatever
 *   the length (John Smith → J***), so the length is not given away either.
 * - A name of one character shows nothing of it: `*`.
 */
export function maskHolderName(name: string): string {
  const trimmed = name.normalize('NFC').trim();
  if (trimmed === '') return '';
  if (!HAN.test(trimmed)) {
    const chars = Array.from(trimmed);
    return chars.length === 1 ? '*' : `${chars[0]}***`;
  }
  const chars = Array.from(trimmed.replace(/\s+/g, ''));
  const n = chars.length;
  if (n === 1) return '*';
  if (chars.some((c) => NAME_DOTS.test(c))) {
    // With two letters or fewer, showing the last one too would show the whole name.
    const keepLast = chars.filter((c) => !NAME_DOTS.test(c)).length > 2;
    return chars.map((c, i) => (i === 0 || (keepLast && i === n - 1) || NAME_DOTS.test(c) ? c : '*')).join('');
  }
  if (n === 2) return `${chars[0]}*`;
  const surname = COMPOUND_SURNAMES.has(chars[0] + chars[1]) ? 2 : 1;
  const given = n - surname;
  const shown = chars.slice(0, surname).join('');
  return given === 1 ? `${shown}*` : `${shown}${'*'.repeat(given - 1)}${chars[n - 1]}`;
}
