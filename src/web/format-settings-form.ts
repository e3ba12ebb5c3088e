import { field, fields, type FormFields } from './forms.js';

/** How one format setting is edited: a number, a yes/no box, or text (also for settings not set yet). */
export interface SettingField {
  /** The setting's name as the format reads and writes it (`untagged_retention_days`). */
  name: string;
  /** The name as a label: `Untagged retention days`. */
  label: string;
  kind: 'number' | 'boolean' | 'text';
  /** What the input shows: the current value, '' for a setting not set. */
  value: string;
  checked: boolean;
  /** The setting has no value now (null): an empty field leaves it so. */
  unset: boolean;
}

/** The form field of setting `name`. */
export const settingInputName = (name: string) => `setting.${name}`;

/** `untagged_retention_days` → `Untagged retention days`. */
export function settingLabel(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(/[_\s.-]+/).filter(Boolean).join(' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The inputs for the settings a format read for a package, in its order. */
export function settingFields(values: Readonly<Record<string, unknown>>): SettingField[] {
  return Object.entries(values).map(([name, value]) => ({
    name,
    label: settingLabel(name),
    kind: typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : 'text',
    value: value === null || value === undefined || typeof value === 'boolean' ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value),
    checked: value === true,
    unset: value === null || value === undefined,
  }));
}

/**
 * The settings a posted form changes, typed as the format reads them: a box is true or false;
 * an empty field is null (not set); a number, or a setting not set yet given a whole or decimal
 * number, is a number (the format refuses a value that is not one); text stays text. Settings
 * the form leaves as they are, and fields the format does not have, are left out.
 */
export function changedSettings(current: Readonly<Record<string, unknown>>, form: FormFields): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  for (const setting of settingFields(current)) {
    const inputName = settingInputName(setting.name);
    if (form[inputName] === undefined) continue;
    let value: unknown;
    if (setting.kind === 'boolean') {
      // A hidden "false" comes first, then the box's "true" when ticked.
      value = fields(form, inputName).at(-1) === 'true';
    } else {
      const text = field(form, inputName);
      if (text === '') value = null;
      else if ((setting.kind === 'number' || setting.unset) && /^-?\d+(\.\d+)?$/.test(text)) value = Number(text);
      else value = text;
    }
    if (value !== current[setting.name]) changes[setting.name] = value;
  }
  return changes;
}
