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

export function formatNumber(value) {
  return typeof value === 'number' ? value.toLocaleString(language) : '—';
}

export function formatPercent(ratio) {
  return typeof ratio === 'number'
    ? `${(ratio * 100).toLocaleString(language, { maximumFractionDigits: 1 })} %`
    : '—';
}

export function formatDateTime(value) {
  if (!value) return '—';
  return new Date(value).toLocaleString(language, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatTime(value) {
  return new Date(value).toLocaleTimeString(language, { hour: '2-digit', minute: '2-digit' });
}

document.documentElement.lang = language;
