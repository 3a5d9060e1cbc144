import Foundation

/// Python's string formatting as templates use it: `"%s" % x` and the `format` filter,
/// `"{}".format(x)`, and `strftime` for `strftime_now`.
enum PythonFormat {
    /// `format % arguments` with the conversions `s r d i f F e E g G x X o c %`, flags `-+ 0`,
    /// width and precision.
    static func percent(_ format: String, _ arguments: [JinjaValue]) throws(JinjaFailure) -> String {
        var output = ""
        var remaining = arguments[...]
        var scalars = format.unicodeScalars[...]
        while let scalar = scalars.popFirst() {
            guard scalar == "%" else {
                output.unicodeScalars.append(scalar)
                continue
            }
            var flags = ""
            while let flag = scalars.first, "-+ 0#".unicodeScalars.contains(flag) {
                flags.unicodeScalars.append(flag)
                scalars.removeFirst()
            }
            var width = ""
            while let digit = scalars.first, ("0"..."9").contains(digit) {
                width.unicodeScalars.append(digit)
                scalars.removeFirst()
            }
            var precision: Int?
            if scalars.first == "." {
                scalars.removeFirst()
                var digits = ""
                while let digit = scalars.first, ("0"..."9").contains(digit) {
                    digits.unicodeScalars.append(digit)
                    scalars.removeFirst()
                }
                precision = Int(digits) ?? 0
            }
            guard let conversion = scalars.popFirst() else { throw JinjaFailure("incomplete format") }
            if conversion == "%" {
                output += "%"
                continue
            }
            guard let argument = remaining.popFirst() else {
                throw JinjaFailure("not enough arguments for format string")
            }
            var body: String
            switch conversion {
            case "s": body = argument.text
            case "r": body = argument.repr
            case "d", "i", "x", "X", "o":
                guard let number = argument.number else {
                    throw JinjaFailure("%\(conversion) format: a real number is required, not \(argument.typeName)")
                }
                let int = argument.integer ?? Int(number.rounded(.towardZero))
                let radix = conversion == "x" || conversion == "X" ? 16 : conversion == "o" ? 8 : 10
                body = String(abs(int), radix: radix, uppercase: conversion == "X")
                if int < 0 { body = "-" + body } else if flags.contains("+") { body = "+" + body }
            case "f", "F", "e", "E", "g", "G":
                guard let number = argument.number else {
                    throw JinjaFailure("must be real number, not \(argument.typeName)")
                }
                body = String(format: "%\(flags.contains("+") ? "+" : "").\(precision ?? 6)\(conversion)", number)
            case "c":
                guard let code = argument.integer, let character = Unicode.Scalar(code) else {
                    body = argument.text
                    break
                }
                body = String(character)
            default:
                throw JinjaFailure("unsupported format character '\(conversion)'")
            }
            if conversion == "s" || conversion == "r", let precision {
                body = String(body.unicodeScalars.prefix(precision))
            }
            if let width = Int(width), body.unicodeScalars.count < width {
                let padding = width - body.unicodeScalars.count
                if flags.contains("-") {
                    body += String(repeating: " ", count: padding)
                } else if flags.contains("0") && conversion != "s" && conversion != "r" {
                    let signed = body.hasPrefix("-") || body.hasPrefix("+")
                    body = (signed ? String(body.prefix(1)) : "") + String(repeating: "0", count: padding)
                        + (signed ? String(body.dropFirst()) : body)
                } else {
                    body = String(repeating: " ", count: padding) + body
                }
            }
            output += body
        }
        guard remaining.isEmpty else { throw JinjaFailure("not all arguments converted during string formatting") }
        return output
    }

    /// `template.format(*positional, **keywords)` for fields `{}`, `{0}`, `{name}` with an optional
    /// `!s`/`!r` conversion; format specs (`{:>10}`) are not supported.
    static func braces(_ template: String, _ arguments: JinjaArguments) throws(JinjaFailure) -> String {
        var output = ""
        var scalars = template.unicodeScalars[...]
        var automaticIndex = 0
        while let scalar = scalars.popFirst() {
            if scalar == "}" {
                guard scalars.popFirst() == "}" else { throw JinjaFailure("Single '}' encountered in format string") }
                output += "}"
                continue
            }
            guard scalar == "{" else {
                output.unicodeScalars.append(scalar)
                continue
            }
            if scalars.first == "{" {
                scalars.removeFirst()
                output += "{"
                continue
            }
            var field = ""
            while let next = scalars.popFirst(), next != "}" { field.unicodeScalars.append(next) }
            var conversion: String?
            if let bang = field.firstIndex(of: "!") {
                conversion = String(field[field.index(after: bang)...])
                field = String(field[..<bang])
            }
            guard !field.contains(":") else { throw JinjaFailure("format specs in str.format are not supported") }
            let value: JinjaValue?
            if field.isEmpty {
                value = automaticIndex < arguments.positional.count ? arguments.positional[automaticIndex] : nil
                automaticIndex += 1
            } else if let index = Int(field) {
                value = index < arguments.positional.count ? arguments.positional[index] : nil
            } else {
                value = arguments.keywords.first { $0.0 == field }?.1
            }
            guard let value else { throw JinjaFailure("format field '\(field)' has no argument") }
            output += conversion == "r" ? value.repr : value.text
        }
        return output
    }

    private static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]
    private static let dayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    /// C `strftime` in the C locale, as Python's `datetime.strftime` runs it, in local time.
    static func strftime(_ format: String, date: Date, timeZone: TimeZone = .current) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let year = parts.year ?? 1970, month = parts.month ?? 1, day = parts.day ?? 1
        let hour = parts.hour ?? 0, minute = parts.minute ?? 0, second = parts.second ?? 0
        let weekday = (parts.weekday ?? 1) - 1
        let dayOfYear = calendar.ordinality(of: .day, in: .year, for: date) ?? 1
        func padded(_ value: Int, _ width: Int = 2) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(width - text.count, 0)) + text
        }
        var output = ""
        var scalars = format.unicodeScalars[...]
        while let scalar = scalars.popFirst() {
            guard scalar == "%", var code = scalars.popFirst() else {
                output.unicodeScalars.append(scalar)
                continue
            }
            let unpadded = code == "-"
            if unpadded, let next = scalars.popFirst() { code = next }
            func number(_ value: Int, _ width: Int = 2) -> String { unpadded ? String(value) : padded(value, width) }
            switch code {
            case "Y": output += String(year)
            case "y": output += padded(year % 100)
            case "m": output += number(month)
            case "d": output += number(day)
            case "e": output += unpadded ? String(day) : (day < 10 ? " " : "") + String(day)
            case "B": output += monthNames[month - 1]
            case "b", "h": output += String(monthNames[month - 1].prefix(3))
            case "A": output += dayNames[weekday]
            case "a": output += String(dayNames[weekday].prefix(3))
            case "H": output += number(hour)
            case "I": output += number(hour % 12 == 0 ? 12 : hour % 12)
            case "M": output += number(minute)
            case "S": output += number(second)
            case "p": output += hour < 12 ? "AM" : "PM"
            case "j": output += number(dayOfYear, 3)
            case "w": output += String(weekday)
            case "F": output += "\(year)-\(padded(month))-\(padded(day))"
            case "%": output += "%"
            default:
                output += "%"
                if unpadded { output += "-" }
                output.unicodeScalars.append(code)
            }
        }
        return output
    }
}
