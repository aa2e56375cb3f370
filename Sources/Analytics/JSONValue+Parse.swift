import Foundation

extension JSONValue {
    /// Parses JSON text (object keys come back sorted).
    public static func parse(_ text: String) throws -> JSONValue {
        let any = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        return convert(any)
    }

    static func convert(_ x: Any) -> JSONValue {
        switch x {
        case let d as [String: Any]: return .object(d.keys.sorted().map { ($0, convert(d[$0]!)) })
        case let a as [Any]: return .array(a.map(convert))
        case let s as String: return .string(s)
        case let b as Bool where type(of: x) == type(of: true as Any) || "\(type(of: x))".contains("Bool"):
            return .bool(b)
        case let n as NSNumber:
            let d = n.doubleValue
            if d == d.rounded(), abs(d) < 1e15, !"\(n)".contains(".") && !"\(n)".contains("e") {
                return .integer(Int(d))
            }
            return .number(d)
        default: return .null
        }
    }
}
