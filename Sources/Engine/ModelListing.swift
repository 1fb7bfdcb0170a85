import LoadGen
import MockServer

/// `sambabench models`: the endpoint's `GET /models` over libcurl, or the embedded mock's for `mock`.
public enum ModelListing {
    /// The models `baseURL` lists; the key is sent only to a real endpoint.
    public static func fetch(baseURL: String, apiKey: String?, insecure: Bool) async throws -> [ModelInfo] {
        var mock: MockServer?
        if baseURL == "mock" { mock = try await MockServer.start(profile: MockProfile()) }
        let transport = CurlTransport(clock: RunClock())
        let result: Result<[ModelInfo], Error>
        do {
            result = .success(try await ModelList.fetch(baseURL: mock?.baseURL ?? baseURL, apiKey: mock == nil ? apiKey : nil,
                                                        transport: transport, insecure: insecure))
        } catch {
            result = .failure(error)
        }
        transport.shutdown()
        await mock?.shutdown()
        return try result.get()
    }
}
