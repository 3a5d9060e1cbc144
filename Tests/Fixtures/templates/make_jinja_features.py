"""Renders small Jinja snippets with transformers' chat template environment and writes
jinja-features.json, the expected output of QwenKit's JinjaTemplate (see JinjaTemplateTests.swift).

Not run in CI; same setup as make_goldens.py.
"""

import json
import pathlib

import jinja2
from transformers.utils import chat_template_utils as ctu

HERE = pathlib.Path(__file__).resolve().parent

CONTEXT = {
    "messages": [
        {"role": "system", "content": "  Be brief.  "},
        {"role": "user", "content": "Hello, World"},
        {"role": "assistant", "content": "Hi", "tool_calls": [{"function": {"name": "f", "arguments": {"b": 1, "a": [1.0, 2.5, None, True]}}}]},
    ],
    "tools": [{"name": "zeta", "rank": 2}, {"name": "Alpha", "rank": 1}, {"name": "beta", "rank": 3}],
    "words": ["b", "A", "c", "a"],
    "numbers": [3, 1, 2],
    "text": "Hello World",
    "n": 7,
    "x": 2.5,
    "flag": False,
    "nothing": None,
    "data": {"z": 1, "y": {"deep": "ok"}, "items": "key named items"},
    "unicode": "héllo 世界 😀",
}

SNIPPETS = [
    # whitespace control, trim_blocks, lstrip_blocks
    "a\n  {% if true %}\n  b\n  {% endif %}\nc",
    "a  {%- if true -%}  b  {%- endif -%}  c",
    "{{- ' x ' -}}\n  y",
    "  {# comment #}\nz",
    "a {%+ if true %}b{% endif %}",
    "{% if true +%}\nkept{% endif %}",
    "{% raw %}{{ not rendered }}{% endraw %}",
    "line\r\nnext\rlast\n",
    "{{ 'x' }}\n\n",
    # literals and operators
    "{{ 1 + 2 }} {{ 7 / 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 2 ** 10 }} {{ 2 ** -1 }} {{ 3 * 'ab' }}",
    "{{ 1.0 }} {{ 1e16 }} {{ 1e15 }} {{ 0.0001 }} {{ 1e-5 }} {{ 0.1 + 0.2 }} {{ 1_000 }} {{ 2.5e3 }}",
    "{{ 'a' ~ 1 ~ none ~ true ~ 1.5 ~ [1] }}",
    "{{ 'a' 'b' \"c\" }}{{ 'it\\'s' }}{{ \"tab\\tnew\\nline\\u00e9\\x41\" }}",
    "{{ [1, 'a', none, true, 1.5, {'k': \"q'uote\"}] }}{{ (1, 2) }}{{ {} }}{{ [] }}",
    "{{ 1 < 2 < 3 }} {{ 1 < 3 < 2 }} {{ 'a' < 'b' }} {{ [1, 2] < [1, 3] }} {{ 1 == 1.0 }} {{ 1 == true }} {{ '1' == 1 }}",
    "{{ 'ell' in text }} {{ 'z' not in text }} {{ 2 in numbers }} {{ 'z' in data }} {{ 'q' in data }}",
    "{{ none or 'b' }} {{ 0 and 'x' }} {{ 'a' and 'b' }} {{ not none }} {{ not 'x' }}",
    "{{ 'yes' if flag else 'no' }} [{{ 'only' if flag }}] {{ 'n' if n > 5 else 's' }}",
    "{{ -n }} {{ - 2 ** 2 }} {{ -x|abs }} {{ +n }}",
    # access
    "{{ messages[0].role }} {{ messages[-1]['content'] }} {{ messages[1].missing }}|{{ data.items is callable }}|{{ data['items'] }}",
    "{{ data.y.deep }} {{ data['y']['deep'] }} {{ words.0 }} {{ words[10] }}|{{ nothing.attr }}|",
    "{{ text[::-1] }} {{ text[1:4] }} {{ text[-5:] }} {{ numbers[::2] }} {{ words[1:-1] }} {{ unicode[1:3] }} {{ unicode[-1] }}",
    # undefined semantics
    "[{{ missing }}] {{ missing is defined }} {{ missing is undefined }} {{ missing|length }} {{ missing|default('d') }} {{ missing is iterable }}",
    "{% for m in missing %}x{% else %}empty{% endfor %} {{ 'x' ~ missing }} {{ missing == missing }} {{ not missing }}",
    "{{ missing.attr }}",
    "{{ missing + 1 }}",
    "{{ messages[5].role }}",
    # tests
    "{{ n is number }} {{ n is integer }} {{ x is float }} {{ x is integer }} {{ true is number }} {{ true is boolean }} {{ n is even }} {{ n is odd }}",
    "{{ n is divisibleby 7 }} {{ n is divisibleby(3) }} {{ text is string }} {{ data is mapping }} {{ words is sequence }} {{ text is iterable }} {{ n is iterable }}",
    "{{ nothing is none }} {{ flag is false }} {{ flag is true }} {{ n is equalto 7 }} {{ n is eq 8 }} {{ n is not none }} {{ 'a' is in words }} {{ n is gt 3 }} {{ n is lt 3 }} {{ n is ge 7 }} {{ n is le 6 }} {{ n is ne 7 }}",
    "{{ 'abc' is lower }} {{ 'ABC' is upper }} {{ range is callable }} {{ text is callable }} {{ nothing is sameas none }}",
    # loops
    "{% for m in messages %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }};{% endfor %}",
    "{% for m in messages %}{{ loop.previtem.role if loop.previtem }}>{{ loop.nextitem.role if loop.nextitem is defined }}|{% endfor %}",
    "{% for w in words if w != 'A' %}{{ loop.index }}{{ w }}{{ loop.cycle('-', '+') }}{% endfor %}",
    "{% for k, v in data.items() %}{{ k }}={{ v }};{% endfor %}{% for k in data %}{{ k }}{% endfor %}",
    "{% for a, b in [[1, 2], [3, 4]] %}{{ a + b }}{% endfor %}{% for c in 'héy' %}[{{ c }}]{% endfor %}",
    "{% for i in range(5) %}{% if i == 1 %}{% continue %}{% endif %}{% if i == 3 %}{% break %}{% endif %}{{ i }}{% endfor %}",
    "{% for i in range(2, 10, 3) %}{{ i }}{% endfor %}{% for i in range(3, 0, -1) %}{{ i }}{% endfor %}",
    "{% for i in [] %}x{% else %}none{% endfor %}{% for i in [1] if false %}x{% else %}filtered{% endfor %}",
    "{% for row in [[1, 2], [3]] %}{% for c in row %}{{ loop.index }}/{{ c }} {% endfor %}{{ loop.index }};{% endfor %}",
    # scoping and set
    "{% set a = 1 %}{% for i in [1, 2] %}{{ a }}{% set a = i * 10 %}{{ a }} {% endfor %}{{ a }}",
    "{% if true %}{% set b = 5 %}{% endif %}{{ b }}",
    "{% set ns = namespace(count=0, found=false) %}{% for i in [1, 2, 3] %}{% set ns.count = ns.count + i %}{% endfor %}{{ ns.count }} {{ ns.found }}",
    "{% set p, q = [1, 2] %}{{ p }}{{ q }}{% set t = 1, 2 %}{{ t }}",
    "{% set block %}  inside {{ n }}  {% endset %}[{{ block }}]{% set up | upper %}shout{% endset %}{{ up }}",
    "{% with a = 3, b = 4 %}{{ a * b }}{% endwith %}[{{ a }}]",
    # macros and call
    "{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('A') }} {{ greet('B', '?') }} {{ greet(punct='.', name='C') }}",
    "{% macro fact(k) %}{% if k <= 1 %}1{% else %}{{ k * fact(k - 1)|int }}{% endif %}{% endmacro %}{{ fact(5) }}",
    "{% macro wrap() %}<{{ caller() }}>{% endmacro %}{% call wrap() %}body {{ n }}{% endcall %}",
    "{% macro later() %}{{ defined_after }}{% endmacro %}{% set defined_after = 'late' %}{{ later() }}",
    "{% filter upper %}shout {{ text }}{% endfilter %}",
    # filters
    "{{ messages[0].content|trim }}|{{ '--x--'|trim('-') }}|{{ text|length }} {{ words|count }} {{ unicode|length }}",
    "{{ data|items|list }} {{ words|first }} {{ words|last }} {{ text|first }} {{ words|join(', ') }} {{ tools|join('|', attribute='name') }}",
    "{{ text|upper }} {{ text|lower }} {{ 'hello wORLD-foo(bar'|title }} {{ 'hello World'|capitalize }} {{ text|replace('o', '0') }} {{ text|replace('o', '0', 1) }}",
    "{{ missing|d('dd') }} {{ ''|default('e') }} {{ ''|default('e', true) }} {{ none|default('n') }} {{ text|list|length }} {{ n|string ~ '!' }}",
    "{{ '42'|int + 1 }} {{ '3.9'|int }} {{ 'x'|int }} {{ 'x'|int(5) }} {{ 3.9|int }} {{ '2.5'|float }} {{ 'x'|float }} {{ n|float }} {{ true|int }}",
    "{{ -3|abs }} {{ (-2.5)|abs }} {{ 2.5|round }} {{ 3.5|round }} {{ 2.567|round(2) }} {{ 2.1|round(0, 'ceil') }} {{ 2.9|round(method='floor') }} {{ 7|round }}",
    "{{ tools|selectattr('rank', 'gt', 1)|map(attribute='name')|join(',') }} {{ tools|rejectattr('name', 'equalto', 'beta')|map(attribute='name')|list }}",
    "{{ messages|selectattr('tool_calls', 'defined')|list|length }} {{ messages|selectattr('role', 'in', ['user', 'system'])|map(attribute='role')|join }}",
    "{{ numbers|select('odd')|list }} {{ numbers|reject('odd')|list }} {{ [0, 1, '', 'a', none]|select|list }} {{ words|map('upper')|list }}",
    "{{ tools|map(attribute='missing', default='?')|list }} {{ words|unique|list }} {{ words|unique(case_sensitive=true)|list }}",
    "{{ words|sort|list }} {{ words|sort(case_sensitive=true)|list }} {{ words|sort(reverse=true)|list }} {{ tools|sort(attribute='rank')|map(attribute='name')|list }} {{ tools|sort(attribute='name')|map(attribute='name')|list }}",
    "{{ numbers|reverse|list }} {{ text|reverse }} {{ numbers|batch(2)|list }} {{ numbers|batch(2, 0)|list }} {{ numbers|min }} {{ numbers|max }} {{ words|max }} {{ numbers|sum }} {{ tools|sum(attribute='rank') }}",
    "[{{ 'a\\nb\\n\\nc'|indent }}] [{{ 'a\\nb'|indent(2, true) }}] [{{ 'a\\n\\nb'|indent(2, blank=true) }}] [{{ 'x'|indent('> ', first=true) }}]",
    "{{ '<a href=\"x\">&\\'</a>'|e }} {{ '<b>'|escape }} {{ '<i>'|safe }} {{ data|dictsort }} {{ 'one two  three'|wordcount }} [{{ 'ab'|center(6) }}]",
    "{{ '%s is %d years, %.2f%%'|format('Ann', 30, 1.5) }} {{ '%05d|%-4s|%x'|format(42, 'ab', 255) }} {{ 'v=%s' % n }} {{ '%s-%s' % (1, 2) }}",
    # tojson
    "{{ messages[2].tool_calls[0].function.arguments|tojson }}",
    "{{ tools|tojson(indent=4) }}",
    "{{ data|tojson(indent=2, sort_keys=true) }}",
    "{{ {'s': 'é\"\\\\\\n\\t\\u0001/<>&\\'', 'e': [], 'o': {}, 'f': 1e100, 'g': -0.0, 'h': 12345678.9}|tojson }}",
    "{{ unicode|tojson }} {{ unicode|tojson(ensure_ascii=true) }} {{ [1, [2, {}]]|tojson(separators=(',', ':')) }} {{ none|tojson }} {{ 'x'|tojson(indent=2) }}",
    "{{ missing|tojson }}",
    # strings and methods
    "{{ text.startswith('Hell') }} {{ text.endswith(('x', 'ld')) }} {{ text.split() }} {{ 'a,b,,c'.split(',') }} {{ 'a,b,c'.split(',', 1) }} {{ 'a,b,c'.rsplit(',', 1) }} {{ '  a  b '.split() }} {{ ' a b c '.rsplit(none, 1) }}",
    "[{{ '  x  '.strip() }}] [{{ 'xxhixx'.strip('x') }}] [{{ '  x  '.lstrip() }}] [{{ '  x  '.rstrip() }}] {{ text.upper() }} {{ text.lower() }} {{ 'hello wORLD'.title() }} {{ 'hELLO'.capitalize() }}",
    "{{ text.replace('l', 'L') }} {{ text.replace('l', 'L', 2) }} {{ text.find('o') }} {{ text.rfind('o') }} {{ text.find('z') }} {{ text.count('l') }} {{ '-'.join(words) }} {{ 'a\\nb\\n'.splitlines() }}",
    "{{ '{} and {}'.format('x', 2) }} {{ '{1}{0}'.format('a', 'b') }} {{ '{name}!'.format(name='N') }} {{ '{{literal}}'.format() }} {{ '12'.isdigit() }} {{ 'ab'.isalpha() }}",
    "{{ data.get('z') }} {{ data.get('q') }} {{ data.get('q', 'dflt') }} {{ data.keys()|list }} {{ data.values()|list|length }} {{ words.index('c') }} {{ words.count('a') }}",
    # globals
    "{{ range(3)|list }} {{ dict(a=1, b='x') }} {{ namespace(a=1).a }} {{ strftime_now('%Y') | length }}",
    "{{ raise_exception('Custom failure: ' ~ n) }}",
    # lexer and whitespace corner cases
    "{{ '{{' }} {{ '%}' }} {{ \"}}\" }}{# {{ not a tag }} #}",
    "a { b } {x} %} #}",
    "  {%- if true %}\n    x\n  {%- endif %}\n  y",
    "x  {% if true %}  y  {% endif %}  z\n",
    "start\n    {% for i in [1, 2] %}\n    item {{ i }}\n    {% endfor %}\nend",
    "{% for i in [1, 2] -%}\n  {{ i }}\n{%- endfor %}",
    "{% set x -%}\n  padded\n{%- endset %}[{{ x }}]",
    "{%- macro m(a) -%}\n  [{{ a }}]\n{%- endmacro -%}\n{{ m(1) }}\n{{ m(2) }}",
    "\t{% if true %}tab{% endif %}",
    "{# lone comment #}\n{# another #}\ntext",
    "{{ x }}\n{% if true %}\n{% endif %}\n",
    # precedence
    "{{ 'a' ~ text|upper }} {{ not words|length }} {{ 10 // 3 * 2 }} {{ 2 ** 3 ** 2 }} {{ 1 + 2 * 3 - 4 / 2 }} {{ -2 ** 2 }}",
    "{{ n > 5 and n < 10 }} {{ not n == 7 }} {{ n == 7 or missing.attr }} {{ (n if flag else x) * 2 }} {{ 1 if none else 2 if true else 3 }}",
    "{{ words|length > 3 }} {{ text|lower == 'hello world' }} {{ 'x' in text|lower }} {{ n is odd and n is not even }}",
    # values
    "{{ none }} {{ true }} {{ [1, 2]|join }} {{ [none, true]|string }} {{ {'a': [1, {'b': none}]} }} {{ data|length }} {{ 10 / 4 }} {{ 10 / 5 }} {{ 3 - 1.5 }}",
    "{{ true + 1 }} {{ 'B' < 'a' }} {{ 'é' > 'z' }} {{ [1, 'a'] == [1, 'a'] }} {{ (1, 2) == [1, 2] }} {{ {'a': 1, 'b': 2} == {'b': 2, 'a': 1} }}",
    "{{ 'x' * 0 }}|{{ [] + [1] }} {{ 7 % 2 }} {{ 7.5 % 2 }} {{ -7.5 // 2 }} {{ 2 ** 0.5 }} {{ 1e300 * 1e10 }}",
    # loops and scope
    "{% set count = 0 %}{% for i in range(3) %}{% set count = count + i %}{{ count }}{% endfor %}|{{ count }}",
    "{% for k, v in data|items %}{{ k }}:{{ v is mapping }} {% endfor %}",
    "{% for m in messages[1:] %}{{ loop.first }}{{ m.role }} {% endfor %}",
    "{% for m in messages|reverse %}{{ m.role[0] }}{% endfor %} {% for m in messages[::-1] %}{{ loop.index0 }}{% endfor %}",
    "{% for i in range(3) %}{% for j in range(3) %}{% if j > i %}{% break %}{% endif %}{{ i }}{{ j }} {% endfor %}{% endfor %}",
    "{% for x in [1, 2, 3] if x is odd %}{{ x }}{{ loop.last }}{% endfor %}",
    "{% set ns = namespace(items=[]) %}{% for i in range(3) %}{% set ns.items = ns.items + [i] %}{% endfor %}{{ ns.items }}",
    "{% set d = {'k': 1} %}{% set d2 = dict(d, extra=2) if false else d %}{{ d2 }}",
    # macros
    "{% macro tag(name, attrs={}, body='') %}<{{ name }}{% for k, v in attrs|items %} {{ k }}=\"{{ v }}\"{% endfor %}>{{ body }}</{{ name }}>{% endmacro %}{{ tag('a', {'href': 'x'}, 'link') }}{{ tag('br') }}",
    "{% macro outer() %}{% macro inner() %}in{% endmacro %}[{{ inner() }}]{% endmacro %}{{ outer() }}",
    "{% macro m(x) %}{{ x }}{% endmacro %}{{ m() }}|{{ m(1) ~ m(2) }}",
    "{% macro list_it() %}{% for c in caller().split(',') %}<{{ c }}>{% endfor %}{% endmacro %}{% call list_it() %}a,b,c{% endcall %}",
    "{% macro row(x) %}{{ caller(x * 2) }}{% endmacro %}{% call(v) row(3) %}got {{ v }}{% endcall %}",
    # filters on odd inputs
    "{{ tools|map(attribute='name')|map('lower')|sort|join(' ') }} {{ tools|selectattr('rank')|list|length }} {{ words|select('equalto', 'a')|list }}",
    "{{ tools|sort(attribute='rank', reverse=true)|map(attribute='rank')|list }} {{ messages|map(attribute='role')|unique|list }} {{ [3, 1, 2]|sort|first }}",
    "{{ 'a-b c'|title }} {{ 'ÉCOLE'|lower }} {{ 'straße'|upper }} {{ '  x'|capitalize }} {{ 'x'|center(4) }}|{{ ''|first is defined }}",
    "{{ 1.5|string }} {{ 2|float }} {{ '0x1A'|int(0, 16) }} {{ '  7  '|int }} {{ 7.0|int }} {{ '1e3'|float }} {{ -7|round }} {{ 2.675|round(2) }}",
    "{{ {'b': 1, 'a': 2}|dictsort(by='value', reverse=true) }} {{ [[1, 'x'], [0, 'y']]|sort|list }} {{ ['b', 'a']|min }} {{ []|sum }}",
    "{{ data.y|tojson }} {{ 'quote\"s'|tojson }} {{ [1.0, 2]|tojson(indent=0) }} {{ {'a': 1}|tojson(indent=-1) }}",
    "{{ 'abc'|list }} {{ 'abc'|batch(2)|list }} {{ data.y.deep|upper }} {{ text.split(' ')[1] }} {{ text.split()|map('length')|list }}",
    # strings
    "{{ 'a,b'.split(',')|join(';') }} {{ 'Hello'[0] }}{{ 'Hello'[-1] }} {{ 'Hi %s, %s' % ('a', 'b') }} {{ '%.1f' % 2.25 }} {{ '%5s|%-5s|' % ('r', 'l') }} {{ '%d%%' % 50 }}",
    "{{ text.lstrip('H') }} {{ text.rstrip('dl') }} {{ 'a b'.replace(' ', '') }} {{ ''.join(['x', 'y']) }} {{ 'x'.startswith('') }} {{ 'abc'.endswith('bc') }}",
    "{{ '<think>\\nA\\n</think>\\n\\nB'.split('</think>')[-1].lstrip('\\n') }}|{{ '<think>x</think>y'.split('</think>')[0].split('<think>')[-1] }}",
    # more errors
    "{{ text.nosuchmethod() }}",
    "{{ n.attr.deeper }}",
    "{{ words[1:2:0] }}",
    "{{ 'a' < 1 }}",
    "{{ none + 1 }}",
    "{{ range(1000000)|length }}",
    "{% set ns = namespace() %}{% set ns.x = 1 %}{% set other.x = 2 %}",
    "{{ text|int + 'a' }}",
    "{% for a, b in [[1, 2, 3]] %}{% endfor %}",
    # errors that must stay errors
    "{{ [1, 2].append(3) }}",
    "{{ 'a' + 1 }}",
    "{{ 1 / 0 }}",
    "{{ none|length }}",
    "{% for x in 5 %}{% endfor %}",
    "{{ messages|items|list }}",
]


def main():
    env_template = ctu._compile_jinja_template
    cases = []
    for source in SNIPPETS:
        case = {"template": source}
        try:
            case["rendered"] = env_template(source).render(**CONTEXT)
        except jinja2.exceptions.TemplateSyntaxError:
            raise
        except jinja2.exceptions.TemplateError as error:
            case["error"] = str(error)
            case["raised"] = type(error) is jinja2.exceptions.TemplateError
        except Exception as error:  # noqa: BLE001 - any Python failure must be a Swift error too
            case["error"] = f"{type(error).__name__}: {error}"
            case["raised"] = False
        cases.append(case)
    with open(HERE / "jinja-features.json", "w", encoding="utf-8") as file:
        json.dump({"context": CONTEXT, "cases": cases}, file, ensure_ascii=False, indent=1)
        file.write("\n")
    print(f"{len(cases)} snippets -> jinja-features.json")


if __name__ == "__main__":
    main()
