import type { PinRules } from '../policy/schema';
import type { Message } from '../../shared/view';

/** The first rule a proposed PIN breaks, as a message for the screen; undefined when it is acceptable. */
export function checkPin(pin: string, confirm: string, rules: PinRules): Message | undefined {
  const length = [...pin].length;
  if (length < rules.minLength) return { key: 'pin.tooShort', params: { min: rules.minLength } };
  if (length > rules.maxLength) return { key: 'pin.tooLong', params: { max: rules.maxLength } };
  if (rules.requireLetter && !/\p{L}/u.test(pin)) return { key: 'pin.needsLetter', params: {} };
  if (rules.requireDigit && !/\p{Nd}/u.test(pin)) return { key: 'pin.needsDigit', params: {} };
  if (rules.requireSymbol && !/[^\p{L}\p{Nd}\s]/u.test(pin))
    return { key: 'pin.needsSymbol', params: {} };
  if (pin !== confirm) return { key: 'pin.mismatch', params: {} };
  return undefined;
}
