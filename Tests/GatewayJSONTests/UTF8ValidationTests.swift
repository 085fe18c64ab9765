import Testing

@testable import GatewayJSON

/// The parser's own UTF-8 check must accept and reject exactly what the standard library does.
@Suite("UTF-8 validation")
struct UTF8ValidationTests {
    func agrees(_ bytes: [UInt8]) -> Bool {
        let ours = bytes.withUnsafeBufferPointer { UTF8Validation.isValid($0) }
        let standard = bytes.withUnsafeBufferPointer { String(validating: $0, as: UTF8.self) != nil }
        return ours == standard
    }

    @Test func everySequenceOfUpToTwoBytes() {
        var disagreements: [[UInt8]] = []
        for first in 0...255 {
            if !agrees([UInt8(first)]) { disagreements.append([UInt8(first)]) }
            for second in 0...255 where !agrees([UInt8(first), UInt8(second)]) {
                disagreements.append([UInt8(first), UInt8(second)])
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10))")
    }

    @Test func threeAndFourByteSequencesAroundEveryBoundary() {
        // Second and third bytes around the continuation range, and a fourth byte for leads
        // of four-byte forms: overlongs, surrogates, the end of Unicode, truncations.
        let near: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF]
        var disagreements: [[UInt8]] = []
        for lead in UInt8(0xE0)...0xFF {
            for second in near {
                for third in near {
                    let three = [lead, second, third]
                    if !agrees(three) { disagreements.append(three) }
                    for fourth in near where !agrees(three + [fourth]) { disagreements.append(three + [fourth]) }
                }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10))")
    }

    @Test func textInManyScripts() {
        for text in ["plain", "Ærø", "€ and 𝄞", "日本語のテキスト", "emoji 👩‍💻 end"] {
            let bytes = Array(text.utf8)
            #expect(bytes.withUnsafeBufferPointer { UTF8Validation.isValid($0) })
            #expect(!(bytes + [0xF0, 0x9F]).withUnsafeBufferPointer { UTF8Validation.isValid($0) })
        }
    }
}
