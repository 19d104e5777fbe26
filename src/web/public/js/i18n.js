import { en } from './locales/en.js';
import { ru } from './locales/ru.js';

const STORAGE_KEY = 'c2d.language';
const DICTIONARIES = { en, ru };
export const LANGUAGES = Object.keys(DICTIONARIES);

let language = initialLanguage();

function initialLanguage() {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (stored && DICTIONARIES[stored]) return stored;
  return (navigator.language || 'en').toLowerCase().startsWith('ru') ? 'ru' : 'en';
}

export function currentLanguage() {
  return language;
}

export function setLanguage(next) {
  language = next;
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next;
}

/** Text for `key` in the current language; `{name}` placeholders are filled from `params`. */
export function t(key, params = {}) {
  const text = DICTIONARIES[language][key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (match, name) => (name in params ? String(params[name]) : match));
}

/** Whether `key` has a text (in the current language or in English). */
export function hasText(key) {
  return key in DICTIONARIES[language] || key in en;
}

/**
 * The plural form of `key` for `count`, chosen by Intl.PluralRules: `key.one`, `key.few`,
 * `key.many`, `key.other` (Russian needs all four, English one and other). `{count}` is the
 * formatted number.
 */
export function plural(key, count, params = {}) {
  const form = `${key}.${new Intl.PluralRules(language).select(count)}`;
  return t(hasText(form) ? form : `${key}.other`, { count: formatNumber(count), ...params });
}

/** A role's name: viewer, manager, admin. */
export function roleName(role) {
  return t(`role.${role}`);
}

export function formatNumber(value) {
  return typeof value === 'number' ? value.toLocaleString(language) : '—';
}

export function formatPercent(ratio) {
  return typeof ratio === 'number'
    ? `${(ratio * 100).toLocaleString(language, { maximumFractionDigits: 1 })} %`
    : '—';
}

export function formatDateTime(value, { seconds = false } = {}) {
  if (!value) return '—';
  return new Date(value).toLocaleString(language, {
    dateStyle: 'medium',
    timeStyle: seconds ? 'medium' : 'short',
  });
}

export function formatDate(value) {
  return value ? new Date(value).toLocaleDateString(language, { dateStyle: 'medium' }) : '—';
}

export function formatTime(value) {
  return new Date(value).toLocaleTimeString(language, { hour: '2-digit', minute: '2-digit' });
}

document.documentElement.lang = language;
