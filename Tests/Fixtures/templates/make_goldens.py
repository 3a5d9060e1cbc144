"""Renders every template in this folder with transformers' own chat template code and writes
goldens.json, the expected output of QwenKit's ChatTemplate (see ChatTemplateGoldenTests.swift).

Not run in CI. Needs `pip install jinja2 transformers` (no torch):

    python3 -m venv .venv-ref && .venv-ref/bin/pip install jinja2 transformers
    .venv-ref/bin/python Tests/Fixtures/templates/make_goldens.py

The templates are the official ones as kept in llama.cpp's models/templates (Llama 3.3 has the
same template as Llama 3.1). strftime_now is pinned to 2026-01-02 12:00 so the goldens are stable.
"""

import datetime as real_datetime
import json
import pathlib

import jinja2
import transformers
from transformers.utils import chat_template_utils as ctu

HERE = pathlib.Path(__file__).resolve().parent
FIXED_NOW = real_datetime.datetime(2026, 1, 2, 12, 0, 0)


class PinnedDatetime(real_datetime.datetime):
    @classmethod
    def now(cls, tz=None):
        return FIXED_NOW


ctu.datetime = PinnedDatetime

QWEN = {"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"}
TEMPLATES = {
    "qwen3": ("qwen3.jinja", QWEN),
    "qwq": ("qwq.jinja", QWEN),
    "deepseek-r1-distill-qwen": (
        "deepseek-r1-distill-qwen.jinja",
        {"bos_token": "<｜begin▁of▁sentence｜>", "eos_token": "<｜end▁of▁sentence｜>", "pad_token": "<｜end▁of▁sentence｜>"},
    ),
    "llama-3.3": ("llama-3.3.jinja", {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"}),
    "phi-3.5": ("phi-3.5.jinja", {"bos_token": "<s>", "eos_token": "<|endoftext|>", "unk_token": "<unk>", "pad_token": "<|endoftext|>"}),
    "gemma-2": ("gemma-2.jinja", {"bos_token": "<bos>", "eos_token": "<eos>", "unk_token": "<unk>", "pad_token": "<pad>"}),
    "mistral-nemo": ("mistral-nemo.jinja", {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"}),
    "smollm3": ("smollm3.jinja", {"eos_token": "<|im_end|>", "pad_token": "<|im_end|>"}),
    "hermes-3-tool-use": ("hermes-3-tool-use.jinja", {"bos_token": "<|begin_of_text|>", "eos_token": "<|im_end|>"}),
}

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city. Says \"sunny\" or 'rainy' — in °C.",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "City name, e.g. 杭州"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "description": "Unit"},
                "days": {"type": "integer", "description": "Days ahead", "default": 1, "minimum": 0.0},
                "hourly": {"type": "boolean", "description": "Hourly\tdata?"},
            },
            "required": ["city"],
        },
    },
}
UNION = {
    "type": "function",
    "function": {
        "name": "lookup",
        "description": "Look something up.",
        "parameters": {
            "type": "object",
            "properties": {"key": {"type": ["string", "integer"], "description": "A key"}},
            "required": ["key"],
        },
    },
}
STOCK = {
    "type": "function",
    "function": {
        "name": "stock_price",
        "description": "Latest price of a listed stock.",
        "parameters": {
            "type": "object",
            "properties": {
                "ticker": {"type": "string", "description": "Ticker symbol"},
                "history": {"type": "array", "items": {"type": "number"}, "description": "Past prices"},
            },
            "required": ["ticker"],
        },
        "return": {"type": "number", "description": "The price in USD"},
    },
}

USER = {"role": "user", "content": "Chi ha fondato Alibaba?"}
SYSTEM = {"role": "system", "content": "Rispondi in italiano.\nSii breve."}
CALL = {
    "role": "assistant",
    "content": None,
    "tool_calls": [
        {"id": "call00001", "type": "function",
         "function": {"name": "get_weather", "arguments": {"city": "Hangzhou", "unit": "celsius", "days": 2, "ratio": 0.5, "big": 1e20}}},
    ],
}
TWO_CALLS = {
    "role": "assistant",
    "content": "Let me check both.",
    "tool_calls": [
        {"id": "call00001", "type": "function", "function": {"name": "get_weather", "arguments": {"city": "Hangzhou"}}},
        {"id": "call00002", "type": "function", "function": {"name": "get_weather", "arguments": {"city": "北京"}}},
    ],
}
STRING_CALL = {
    "role": "assistant",
    "content": "",
    "tool_calls": [
        {"id": "call00003", "type": "function", "function": {"name": "stock_price", "arguments": "{\"ticker\": \"BABA\"}"}},
    ],
}

CASES = [
    ("single-user", [USER], None, True, {}),
    ("system-user", [SYSTEM, USER], None, True, {}),
    ("multi-turn", [
        {"role": "user", "content": "你好"},
        {"role": "assistant", "content": "你好！有什么可以帮你的？"},
        {"role": "user", "content": "  Summarise: Alibaba will invest 380 billion yuan.  "},
    ], None, True, {}),
    ("no-generation-prompt", [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}], None, False, {}),
    ("system-multi-turn", [
        SYSTEM, {"role": "user", "content": "Uno"}, {"role": "assistant", "content": "Due"}, {"role": "user", "content": "Tre?"},
    ], None, True, {}),
    ("tools", [{"role": "user", "content": "What's the weather in Hangzhou?"}], [WEATHER, STOCK], True, {}),
    ("tools-system", [SYSTEM, {"role": "user", "content": "Price of BABA?"}], [STOCK], True, {}),
    ("tool-call-response", [
        {"role": "user", "content": "Weather in Hangzhou?"},
        CALL,
        {"role": "tool", "tool_call_id": "call00001", "content": "{\"temperature\": 21.5, \"sky\": \"clear\"}"},
    ], [WEATHER], True, {}),
    ("tool-call-empty-content", [
        {"role": "user", "content": "Weather in Hangzhou?"},
        {**CALL, "content": ""},
        {"role": "tool", "tool_call_id": "call00001", "content": "{\"temperature\": 21.5, \"sky\": \"clear\"}"},
    ], [WEATHER], True, {}),
    ("two-tool-calls", [
        {"role": "user", "content": "Weather in Hangzhou and Beijing?"},
        TWO_CALLS,
        {"role": "tool", "tool_call_id": "call00001", "content": "21"},
        {"role": "tool", "tool_call_id": "call00002", "content": "18"},
        {"role": "assistant", "content": "Hangzhou 21°C, Beijing 18°C."},
        {"role": "user", "content": "Thanks"},
    ], [WEATHER], True, {}),
    ("string-arguments", [
        {"role": "user", "content": "BABA?"},
        STRING_CALL,
        {"role": "tool", "tool_call_id": "call00003", "content": "88.1"},
    ], [STOCK], False, {}),
    ("reasoning-in-content", [
        {"role": "user", "content": "2+2?"},
        {"role": "assistant", "content": "<think>\nSimple sum.\n</think>\n\n4"},
        {"role": "user", "content": "3+3?"},
    ], None, True, {}),
    ("reasoning-last-turn", [
        {"role": "user", "content": "2+2?"},
        {"role": "assistant", "content": "<think>\nSimple.\n</think>\n\n4"},
    ], None, False, {}),
    ("reasoning-content-field", [
        {"role": "user", "content": "2+2?"},
        {"role": "assistant", "content": "4", "reasoning_content": "Two plus two."},
    ], None, False, {}),
    ("thinking-off", [USER], None, True, {"enable_thinking": False}),
    ("system-leading-role-error", [SYSTEM, {"role": "assistant", "content": "Ciao"}], None, True, {}),
    ("alternation-error", [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}], None, True, {}),
    ("llama-tools-in-system", [SYSTEM, USER], [WEATHER], True, {"tools_in_user_message": False, "date_string": "02 Jan 2026"}),
    ("llama-builtin-tools", [USER], None, True, {"builtin_tools": ["brave_search", "code_interpreter", "wolfram_alpha"]}),
    ("smollm3-xml-tools", [USER], None, True, {"xml_tools": [WEATHER]}),
    ("smollm3-python-tools-no-think", [{"role": "system", "content": "Be terse. /no_think"}, USER], None, True,
     {"python_tools": [STOCK]}),
    ("smollm3-system-override", [{"role": "system", "content": "Only this. /system_override"}, USER], None, True, {}),
    ("union-type-tool", [USER], [UNION], True, {}),
    ("unicode-and-escapes", [
        {"role": "user", "content": "Emoji 😀, tab\t, quote \" and backslash \\ and <|im_end|> text"},
    ], None, True, {}),
]


def render(template, special_tokens, messages, tools, add_generation_prompt, extra):
    conversation = ctu._normalize_chat_messages(messages)
    rendered, _ = ctu.render_jinja_template(
        conversations=[conversation],
        tools=tools,
        chat_template=template,
        add_generation_prompt=add_generation_prompt,
        **{**special_tokens, **extra},
    )
    return rendered[0]


def main():
    cases = []
    for template_name, (file_name, special_tokens) in TEMPLATES.items():
        source = (HERE / file_name).read_text(encoding="utf-8")
        for case_name, messages, tools, add_generation_prompt, extra in CASES:
            case = {
                "template": template_name,
                "name": case_name,
                "messages": messages,
                "tools": tools,
                "add_generation_prompt": add_generation_prompt,
                "extra_context": extra,
            }
            try:
                case["rendered"] = render(source, special_tokens, messages, tools, add_generation_prompt, extra)
            except jinja2.exceptions.TemplateError as error:
                # raise_exception raises TemplateError itself; other Jinja failures are subclasses.
                case["error"] = str(error)
                case["raised"] = type(error) is jinja2.exceptions.TemplateError
            except (TypeError, ValueError, KeyError, RecursionError) as error:
                case["error"] = f"{type(error).__name__}: {error}"
                case["raised"] = False
            cases.append(case)
    templates = {name: {"file": file, "special_tokens": tokens} for name, (file, tokens) in TEMPLATES.items()}
    golden = {
        "generator": f"transformers {transformers.__version__}, jinja2 {jinja2.__version__}",
        "now": FIXED_NOW.isoformat(),
        "templates": templates,
        "cases": cases,
    }
    with open(HERE / "goldens.json", "w", encoding="utf-8") as file:
        json.dump(golden, file, ensure_ascii=False, indent=1)
        file.write("\n")
    errors = sum("error" in case for case in cases)
    print(f"{len(cases)} cases ({errors} errors) -> goldens.json")


if __name__ == "__main__":
    main()
