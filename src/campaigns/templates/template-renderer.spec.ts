import { parseTemplate, renderForContact, requiredVariables } from './template-renderer';

const contact = (attributes: Record<string, string>, name: string | null = 'Anna') => ({
  phone: '79161234567',
  name,
  attributes,
});

describe('template renderer', () => {
  it('substitutes variables from the contact name and attributes', () => {
    expect(
      renderForContact('Hi {{name}}, order {{order_id}} is ready', contact({ order_id: 'A-17' })),
    ).toEqual({ ok: true, text: 'Hi Anna, order A-17 is ready' });
  });

  it('uses the default when the value is missing or blank', () => {
    expect(renderForContact('Hello, {{name|клиент}}!', contact({}, null))).toEqual({
      ok: true,
      text: 'Hello, клиент!',
    });
    expect(renderForContact('Hello, {{ name | клиент }}!', contact({}, '  '))).toEqual({
      ok: true,
      text: 'Hello, клиент!',
    });
  });

  it('reports every missing variable without a default', () => {
    expect(renderForContact('{{order_id}} {{code}} {{order_id}}', contact({}))).toEqual({
      ok: false,
      missing: ['order_id', 'code'],
    });
  });

  it('matches attribute names ignoring case, preferring the exact one', () => {
    expect(renderForContact('{{Order_ID}}', contact({ order_id: '5' }))).toEqual({ ok: true, text: '5' });
    expect(renderForContact('{{City}}', contact({ city: 'a', City: 'b' }))).toEqual({ ok: true, text: 'b' });
  });

  it('takes name from the attributes when the contact has none, and phone from the contact', () => {
    expect(renderForContact('{{name}} {{phone}}', contact({ Name: 'Oleg' }, null))).toEqual({
      ok: true,
      text: 'Oleg 79161234567',
    });
  });

  it('leaves text without placeholders untouched, including lone braces', () => {
    expect(renderForContact('{x} {{}} done', contact({}))).toEqual({ ok: true, text: '{x} {{}} done' });
  });

  it('lists only variables without defaults as required', () => {
    expect(requiredVariables(parseTemplate('{{a}} {{b|x}} {{a}} {{c|}}'))).toEqual(['a']);
  });
});
