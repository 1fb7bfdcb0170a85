/// What of a URL may be written: every output (run.json, summary.json, report.md, compare's report, the banner on
/// stdout, error messages) writes a URL through `masked(_:)`, which keeps the scheme, host, port and path and hides
/// the userinfo (`http://user:secret@host` -> `http://***@host`) and every query value (`?key=secret&v=1` ->
/// `?key=***&v=***`); a fragment is hidden whole. A query item without `=` is hidden whole too.
public enum URLRedaction {
    public static let mask = "***"

    /// `url` with its userinfo, query values and fragment masked; text that is no URL (`mock`) is returned as is.
    public static func masked(_ url: String) -> String {
        let parts = URLParts(url)
        var result = String(parts.scheme) + (parts.userinfo == nil ? "" : mask + "@") + String(parts.hostAndPath)
        if let query = parts.query {
            result += "?" + query.split(separator: "&", omittingEmptySubsequences: false).map { item -> String in
                guard !item.isEmpty else { return "" }
                guard let equals = item.firstIndex(of: "=") else { return mask }
                return String(item[..<equals]) + "=" + (item[item.index(after: equals)...].isEmpty ? "" : mask)
            }.joined(separator: "&")
        }
        if let fragment = parts.fragment { result += "#" + (fragment.isEmpty ? "" : mask) }
        return result
    }

    /// Every http(s) URL inside `text` (a command line argument, an error message) masked.
    public static func maskingURLs(in text: String) -> String {
        guard text.contains("://") else { return text }
        var result = ""
        var rest = Substring(text)
        while let start = rest.range(of: "http://") ?? rest.range(of: "https://") {
            // The earlier of the two schemes.
            let begin = [rest.range(of: "http://")?.lowerBound, rest.range(of: "https://")?.lowerBound]
                .compactMap { $0 }.min() ?? start.lowerBound
            result += rest[..<begin]
            let end = rest[begin...].firstIndex { $0 == " " || $0 == "\"" || $0 == "'" || $0 == "\n" || $0 == "\t" || $0 == "`" }
                ?? rest.endIndex
            result += masked(String(rest[begin..<end]))
            rest = rest[end...]
        }
        return result + rest
    }

    /// The secrets of a URL, searched for in a server's text (`SecretRedactor`): the user and password, and the query
    /// values, each at least `SecretRedactor.minimumURLSecretLength` characters long, as written and percent-decoded.
    public static func secrets(in url: String) -> [String] {
        let parts = URLParts(url)
        var found: [Substring] = []
        if let userinfo = parts.userinfo {
            found += userinfo.split(separator: ":", maxSplits: 1)
        }
        if let query = parts.query {
            for item in query.split(separator: "&") {
                if let equals = item.firstIndex(of: "=") {
                    found.append(item[item.index(after: equals)...])
                } else {
                    found.append(item)
                }
            }
        }
        var secrets: [String] = []
        for secret in found.map(String.init) where secret.count >= SecretRedactor.minimumURLSecretLength {
            secrets.append(secret)
            if let decoded = secret.removingPercentEncoding, decoded != secret,
               decoded.count >= SecretRedactor.minimumURLSecretLength {
                secrets.append(decoded)
            }
        }
        return secrets
    }
}

/// Where an API's path goes in a base URL: before its query and fragment (`http://host/v1?key=X` + `/chat/completions`
/// is `http://host/v1/chat/completions?key=X`), after the path without its trailing slash.
public enum EndpointURL {
    public static func appending(_ path: String, to baseURL: String) -> String {
        let cut = baseURL.firstIndex { $0 == "?" || $0 == "#" } ?? baseURL.endIndex
        var head = baseURL[..<cut]
        while head.hasSuffix("/") { head = head.dropLast() }
        let suffix = path.hasPrefix("/") || path.isEmpty ? path : "/" + path
        return String(head) + suffix + String(baseURL[cut...])
    }
}

/// A URL cut into the pieces the masking needs, without validating it (`URL` would refuse some of what a scenario
/// holds, and masking must never fail).
struct URLParts {
    /// `http://`, or empty when the text has no scheme.
    var scheme: Substring
    var userinfo: Substring?
    var hostAndPath: Substring
    var query: Substring?
    var fragment: Substring?

    init(_ url: String) {
        var rest = Substring(url)
        if let separator = rest.range(of: "://") {
            scheme = rest[..<separator.upperBound]
            rest = rest[separator.upperBound...]
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@") {
                userinfo = rest[..<at]
                rest = rest[rest.index(after: at)...]
            }
        } else {
            scheme = ""
        }
        if let hash = rest.firstIndex(of: "#") {
            fragment = rest[rest.index(after: hash)...]
            rest = rest[..<hash]
        }
        if let question = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: question)...]
            rest = rest[..<question]
        }
        hostAndPath = rest
    }
}
