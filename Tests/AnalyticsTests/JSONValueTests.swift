import Analytics
import HindsightCore
import Testing

@Suite struct JSONValueTests {
    @Test func numbersReadBackToTheSameBitsTheyWereWrittenWith() throws {
        // Foundation's JSONSerialization reads this one as 1.7035942867626024 on Linux.
        for x in [1.7035942867626022, 0.1, -2.5e-300, 123456.789012345678, .pi, 1e21] {
            let v = try JSONValue.parse("{\"x\":\(JSONText.number(x))}")
            #expect(v["x"] == .number(x), "\(x)")
            if case .number(let y)? = v["x"] { #expect(y.bitPattern == x.bitPattern) }
        }
        #expect(try JSONValue.parse("[1, -7, 2.0]") == .array([.integer(1), .integer(-7), .number(2)]))
    }

    @Test func objectsComeBackSortedAndStringsUnescaped() throws {
        let v = try JSONValue.parse(#"{"b": [true, null], "a": "x\"y\n\u00e9\ud83d\ude00"}"#)
        #expect(v.render() == #"{"a":"x\"y\né😀","b":[true,null]}"#)
    }

    @Test func malformedTextIsRefusedWithTheOffset() {
        for bad in ["{\"a\":}", "[1,", "tru", "{\"a\" 1}", "1 2", "\"open"] {
            #expect(throws: JSONValue.ParseError.self, "\(bad)") { try JSONValue.parse(bad) }
        }
    }
}
