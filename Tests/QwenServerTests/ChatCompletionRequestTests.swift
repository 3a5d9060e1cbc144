import Foundation
import QwenKit
import QwenServer
import Testing

@Suite struct ChatCompletionRequestTests {
    static let golden = try? JSONValue(parsing: Data(contentsOf: Fixtures.url("chat-template-golden.json")))

    static func goldenCase(_ name: String) throws -> JSONValue {
        let cases = try #require(golden?["cases"]?.arrayValue)
        return try #require(cases.first { $0["name"]?.stringValue == name })
    }

    static func request(_ body: JSONValue) throws -> ChatCompletionRequest {
        let model = try #require(ServerHarness.model)
        return try ChatCompletionRequest(body: body, model: model, configuration: ServerConfiguration(modelName: "m"))
    }

    /// A client sends back the assistant's tool calls with `arguments` as JSON strings, as the
    /// OpenAI API returned them; the prompt must render as if they were objects.
    @Test func toolCallRoundTripRendersTheGoldenPrompt() throws {
        let golden = try Self.goldenCase("tool-call-and-response")
        var messages: [JSONValue] = []
        for case .object(var message) in golden["messages"]?.arrayValue ?? [] {
            if let calls = message["tool_calls"]?.arrayValue {
                message["content"] = .null
                message["tool_calls"] = .array(calls.enumerated().map { index, call in
                    let arguments = call["function"]?["arguments"] ?? [:]
                    return [
                        "id": .string("call_\(index)"), "type": "function",
                        "function": ["name": call["function"]?["name"] ?? .null, "arguments": .string(arguments.serialized(.compact))],
                    ]
                })
            }
            messages.append(.object(message))
        }
        let request = try Self.request(["messages": .array(messages), "tools": golden["tools"] ?? .null])
        #expect(request.prompt == golden["rendered"]?.stringValue)
        #expect(request.parsesToolCalls)
    }

    @Test func textPartsAreJoined() throws {
        let golden = try Self.goldenCase("single-user")
        let text = try #require(golden["messages"]?[0]?["content"]?.stringValue)
        let half = text.index(text.startIndex, offsetBy: text.count / 2)
        let parts: JSONValue = [
            ["type": "text", "text": .string(String(text[..<half]))],
            ["type": "text", "text": .string(String(text[half...]))],
        ]
        let request = try Self.request(["messages": [["role": "user", "content": parts]]])
        let expected = String(text[..<half]) + "\n" + String(text[half...])
        let whole = try Self.request(["messages": [["role": "user", "content": .string(expected)]]])
        #expect(request.prompt == whole.prompt)
        #expect(request.prompt.contains(expected))
    }

    @Test func toolChoiceForcesTheOpeningOfACall() throws {
        let golden = try Self.goldenCase("tools")
        let base: JSONObject = ["messages": golden["messages"] ?? .null, "tools": golden["tools"] ?? .null]
        var required = base
        required["tool_choice"] = "required"
        let rendered = try #require(golden["rendered"]?.stringValue)
        #expect(try Self.request(.object(required)).prompt == rendered + "<tool_call>\n")
        var named = base
        named["tool_choice"] = ["type": "function", "function": ["name": "get_weather"]]
        #expect(try Self.request(.object(named)).prompt == rendered + "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": ")
        var none = base
        none["tool_choice"] = "none"
        #expect(try Self.request(.object(none)).parsesToolCalls == false)
        #expect(try Self.request(.object(base)).prompt == rendered)
    }
}
