#!/usr/bin/env python3
"""Runs requests through the official openai and anthropic SDKs and prints what each SDK made of the answer
(openai: chat.completions, responses and completions; anthropic: messages).

The SDKs are strict about stream shapes (event order, output and content indexes, content block types), so a run
without an exception shows that an endpoint -- usually sambabench's mock -- speaks the API as the SDKs expect. One
API per run, against a freshly started mock, so request numbers start at 1 for every API and the same seed gives the
same text in all three:

    python3 check.py --api chat --base-url http://127.0.0.1:PORT/v1 --requests 3 --prompt "Hi" --max-tokens 64
    python3 check.py --list-apis      # the APIs it has a runner for (run.sh checks each)

Prints one JSON line per request:
    {"api", "index", "text", "reasoning", "tool_calls": [{"id", "name", "arguments"}],
     "usage": {"input_tokens", "output_tokens", "reasoning_tokens"}, "finish_reason"}
and exits non-zero, with the SDK's exception on stderr, at the first request that fails.
"""

import argparse
import json
import os
import sys


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--api", required=True, choices=sorted(RUNNERS))
    parser.add_argument("--base-url", required=True, help="the OpenAI-style base URL, e.g. http://127.0.0.1:8000/v1")
    parser.add_argument("--requests", type=int, default=1, help="requests to send, one after the other")
    parser.add_argument("--prompt", default="Say hello.")
    parser.add_argument("--max-tokens", type=int, default=256)
    parser.add_argument("--tools", help="a JSON file holding a list of chat-style function tools to offer")
    parser.add_argument("--model", default="gpt-oss-120b")
    parser.add_argument("--api-key", default=os.environ.get("SAMBANOVA_API_KEY", "mock"))
    args = parser.parse_args()
    if args.requests < 1 or args.max_tokens < 1:
        parser.error("--requests and --max-tokens must be at least 1")
    return args


def load_tools(path):
    """Chat-style tools: [{"type": "function", "function": {"name", "description", "parameters"}}]."""
    if not path:
        return []
    with open(path, encoding="utf-8") as handle:
        tools = json.load(handle)
    if not isinstance(tools, list) or not all(isinstance(t, dict) and "function" in t for t in tools):
        raise SystemExit(f"check.py: {path} must hold a JSON list of chat-style function tools")
    return tools


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def run_chat(args, tools):
    import openai

    client = openai.OpenAI(base_url=args.base_url, api_key=args.api_key, max_retries=0)
    extra = {"tools": tools} if tools else {}
    stream = client.chat.completions.create(
        model=args.model,
        messages=[{"role": "user", "content": args.prompt}],
        max_tokens=args.max_tokens,
        stream=True,
        stream_options={"include_usage": True},
        **extra,
    )
    text, reasoning, calls, finish, usage = [], [], {}, None, None
    for chunk in stream:
        if chunk.usage is not None:
            usage = chunk.usage
        for choice in chunk.choices:
            delta = choice.delta
            if delta.content:
                text.append(delta.content)
            # SambaNova and gpt-oss send delta.reasoning; DeepSeek-style servers delta.reasoning_content.
            extra_fields = delta.model_extra or {}
            thought = extra_fields.get("reasoning") or extra_fields.get("reasoning_content")
            if thought:
                reasoning.append(thought)
            for call in delta.tool_calls or []:
                entry = calls.setdefault(call.index, {"id": "", "name": "", "arguments": ""})
                if call.id:
                    entry["id"] = call.id
                if call.function and call.function.name:
                    entry["name"] += call.function.name
                if call.function and call.function.arguments:
                    entry["arguments"] += call.function.arguments
            if choice.finish_reason:
                finish = choice.finish_reason
    if usage is None:
        raise RuntimeError("the stream carried no usage")
    details = usage.completion_tokens_details
    return {
        "text": "".join(text),
        "reasoning": "".join(reasoning),
        "tool_calls": [calls[i] for i in sorted(calls)],
        "usage": {
            "input_tokens": usage.prompt_tokens,
            "output_tokens": usage.completion_tokens,
            "reasoning_tokens": details.reasoning_tokens if details is not None else None,
        },
        "finish_reason": finish,
    }


def run_responses(args, tools):
    import openai

    client = openai.OpenAI(base_url=args.base_url, api_key=args.api_key, max_retries=0)
    extra = {}
    if tools:
        extra["tools"] = [
            {"type": "function", "name": t["function"]["name"], "description": t["function"].get("description", ""),
             "parameters": t["function"].get("parameters", {"type": "object", "properties": {}})}
            for t in tools
        ]
    stream = client.responses.create(
        model=args.model, input=args.prompt, max_output_tokens=args.max_tokens, stream=True, **extra
    )
    final, streamed_text, streamed_arguments = None, [], {}
    for event in stream:
        if event.type in ("response.completed", "response.incomplete"):
            final = event.response
        elif event.type == "response.failed":
            raise RuntimeError(f"response.failed: {event.response.error}")
        elif event.type == "error":
            raise RuntimeError(f"error event: {event.code}: {event.message}")
        elif event.type == "response.output_text.delta":
            streamed_text.append(event.delta)
        elif event.type == "response.function_call_arguments.delta":
            streamed_arguments[event.item_id] = streamed_arguments.get(event.item_id, "") + event.delta
    if final is None:
        raise RuntimeError("the stream ended without response.completed")
    text, reasoning, calls = [], [], []
    for item in final.output:
        if item.type == "message":
            text.extend(part.text for part in item.content if part.type == "output_text")
        elif item.type == "reasoning":
            reasoning.extend(part.text for part in (item.content or []))
        elif item.type == "function_call":
            if streamed_arguments.get(item.id, item.arguments) != item.arguments:
                raise RuntimeError(f"streamed arguments of {item.id} differ from the final item's")
            calls.append({"id": item.call_id, "name": item.name, "arguments": item.arguments})
    if "".join(streamed_text) != "".join(text):
        raise RuntimeError("the streamed text differs from the final response's")
    usage = final.usage
    details = usage.output_tokens_details
    return {
        "text": "".join(text),
        "reasoning": "".join(reasoning),
        "tool_calls": calls,
        "usage": {
            "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens,
            "reasoning_tokens": details.reasoning_tokens if details is not None else None,
        },
        "finish_reason": final.status,
    }


def run_messages(args, tools):
    import anthropic

    # The anthropic SDK appends /v1/messages to its base URL.
    base = args.base_url.rstrip("/")
    base = base[: -len("/v1")] if base.endswith("/v1") else base
    client = anthropic.Anthropic(base_url=base, api_key=args.api_key, max_retries=0)
    extra = {}
    if tools:
        extra["tools"] = [
            {"name": t["function"]["name"], "description": t["function"].get("description", ""),
             "input_schema": t["function"].get("parameters", {"type": "object", "properties": {}})}
            for t in tools
        ]
    raw_arguments = {}
    with client.messages.stream(
        model=args.model, max_tokens=args.max_tokens, messages=[{"role": "user", "content": args.prompt}], **extra
    ) as stream:
        for event in stream:
            if event.type == "content_block_delta" and event.delta.type == "input_json_delta":
                raw_arguments[event.index] = raw_arguments.get(event.index, "") + event.delta.partial_json
        message = stream.get_final_message()
    text, reasoning, calls = [], [], []
    for position, block in enumerate(message.content):
        if block.type == "text":
            text.append(block.text)
        elif block.type == "thinking":
            reasoning.append(block.thinking)
        elif block.type == "tool_use":
            arguments = raw_arguments.get(position, compact(block.input))
            if json.loads(arguments or "{}") != block.input:
                raise RuntimeError(f"streamed input of {block.id} differs from the final block's")
            calls.append({"id": block.id, "name": block.name, "arguments": arguments})
    return {
        "text": "".join(text),
        "reasoning": "".join(reasoning),
        "tool_calls": calls,
        "usage": {
            "input_tokens": message.usage.input_tokens,
            "output_tokens": message.usage.output_tokens,
            "reasoning_tokens": None,
        },
        "finish_reason": message.stop_reason,
    }


def run_completions(args, tools):
    """SambaNova's legacy text completions: the prompt as one string, the text in choices[].text. No tools."""
    import openai

    client = openai.OpenAI(base_url=args.base_url, api_key=args.api_key, max_retries=0)
    stream = client.completions.create(
        model=args.model,
        prompt=args.prompt,
        max_tokens=args.max_tokens,
        stream=True,
        stream_options={"include_usage": True},
    )
    text, finish, usage = [], None, None
    for chunk in stream:
        if chunk.usage is not None:
            usage = chunk.usage
        for choice in chunk.choices:
            if choice.text:
                text.append(choice.text)
            if choice.finish_reason:
                finish = choice.finish_reason
    if usage is None:
        raise RuntimeError("the stream carried no usage")
    return {
        "text": "".join(text),
        "reasoning": "",
        "tool_calls": [],
        "usage": {"input_tokens": usage.prompt_tokens, "output_tokens": usage.completion_tokens, "reasoning_tokens": None},
        "finish_reason": finish,
    }


RUNNERS = {"chat": run_chat, "responses": run_responses, "messages": run_messages, "completions": run_completions}


def main():
    if sys.argv[1:] == ["--list-apis"]:
        print(" ".join(RUNNERS))
        return 0
    args = parse_args()
    tools = load_tools(args.tools)
    for index in range(args.requests):
        try:
            result = RUNNERS[args.api](args, tools)
        except Exception as error:  # any SDK exception fails the check
            print(f"check.py: {args.api} request {index}: {type(error).__name__}: {error}", file=sys.stderr)
            return 1
        print(compact({"api": args.api, "index": index, **result}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
