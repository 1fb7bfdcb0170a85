import CCurl
import Testing

@Suite struct CCurlShimTests {
    @Test func typedSetoptAndGetinfoReachLibcurl() throws {
        curl_global_init(3)
        let handle = try #require(curl_easy_init())
        defer { curl_easy_cleanup(handle) }
        #expect(ccurl_easy_setopt_string(handle, CURLOPT_URL, "http://127.0.0.1:9/x") == CURLE_OK)
        #expect(ccurl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1) == CURLE_OK)
        #expect(ccurl_easy_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, 0) == CURLE_OK)
        var effective: UnsafePointer<CChar>?
        #expect(ccurl_easy_getinfo_string(handle, CURLINFO_EFFECTIVE_URL, &effective) == CURLE_OK)
        #expect(effective.map { String(cString: $0) } == "http://127.0.0.1:9/x")
        var code = -1
        #expect(ccurl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK)
        #expect(code == 0)
        var time: curl_off_t = -1
        #expect(ccurl_easy_getinfo_off_t(handle, CURLINFO_TOTAL_TIME_T, &time) == CURLE_OK)
        #expect(time == 0)
    }

    @Test func libcurlHasTheMultiInterfaceFeaturesUsed() throws {
        // curl_multi_poll and curl_multi_wakeup need libcurl 7.68 or later.
        let info = try #require(curl_version_info(CURLVERSION_TENTH))
        #expect(info.pointee.version_num >= 0x074400)
        let multi = try #require(curl_multi_init())
        defer { curl_multi_cleanup(multi) }
        #expect(ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, 64) == CURLM_OK)
        #expect(curl_multi_wakeup(multi) == CURLM_OK)
    }
}
