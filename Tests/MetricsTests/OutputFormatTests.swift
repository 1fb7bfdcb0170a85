import Testing
@testable import LoadGen
@testable import Metrics

@Suite struct OutputFormatTests {
    /// Golden: the columns of requests.csv and chunks.csv are part of the contract (`report` rebuilds from them).
    @Test func csvHeaders() {
        #expect(RecordCSV.requestsHeader == "level,level_name,seq,warmup,conversation,turn,api,model,response_model,stream,status,error_class,error_type,error_code,error_message,finish_reason,scheduled_ms,sent_ms,headers_ms,first_byte_ms,end_ms,ttft_ms,ttft_sched_ms,ttfo_ms,e2e_ms,e2e_sched_ms,decode_tps,tpot_ms,e2e_tps,chunks,first_chunk_ms,first_chunk_tokens,last_chunk_ms,first_answer_ms,input_tokens,output_tokens,reasoning_tokens,token_source,input_token_source,server_ttft_s,server_latency_s,server_completion_tps,server_decode_tps,server_total_tps,server_start_s,server_end_s,server_acceptance_rate,client_minus_server_ttft_ms,new_connection,dns_ms,connect_ms,tls_ms,ttfb_ms,bytes_received,attempt,retry_after_ms,ratelimit,mock_sent_ms,ttft_error_ms,tokenizer_tokens,tokenizer_vs_usage,ttft_token_ms,shard,cached_input_tokens,finish\n")
        #expect(RecordCSV.chunksHeader == "seq,chunk,arrival_ms,since_sent_ms,tokens,bytes,answer_bytes,reasoning_bytes,tool_bytes\n")
        #expect(SummaryExport.csvHeader == "level,level_name,concurrency,rate_rps,metric,unit,count,mean,stddev,min,p50,p90,p95,p99,p99_9,max,value\n")
    }

    @Test func requestRowKeepsNanosecondsAndQuotesText() {
        let sample = RequestRecord(
            level: 1, levelName: "c8", seq: 5, model: "m", errorClass: .streamError, errorType: "overloaded_error",
            errorMessage: "busy, \"retry\"\nlater", scheduledNs: 1_000, sentNs: 1_234_567, endNs: 501_234_567,
            chunks: [ChunkRecord(arrivalNs: 101_234_567, tokens: 3, answerBytes: 12),
                     ChunkRecord(arrivalNs: 201_234_567, tokens: 5, reasoningBytes: 20)],
            outputTokens: 8, tokenSource: .estimate)
        let row = RecordCSV.requestRow(sample)
        #expect(row.hasPrefix("1,c8,5,0,5,1,chat,m,,1,200,stream_error,overloaded_error,,\"busy, \"\"retry\"\"\nlater\",,0.001000,1.234567,,,501.234567,100.000000,101.233567,100.000000,500.000000,501.233567,50,20,16,2,101.234567,3,201.234567,101.234567,,8,,estimate,"))
        #expect(RecordCSV.chunkRows(sample) == "5,0,101.234567,100.000000,3,12,12,0,0\n5,1,201.234567,200.000000,5,20,0,20,0\n")
    }

    @Test func csvRowsReadBackQuotesLineBreaksAndText() {
        let text = "a,b,c\r\n1,\"x, \"\"y\"\"\nz\",caf\u{e9} \u{65e5}\n2,lone\rcr,\n\"\",,\"\"\"\"\n3"
        #expect(RunFiles.rows(text) == [["a", "b", "c"], ["1", "x, \"y\"\nz", "caf\u{e9} \u{65e5}"], ["2", "lone\rcr", ""],
                                        ["", "", "\""], ["3"]])
        #expect(RunFiles.rows("") == [])
    }

    @Test func numbersAndMilliseconds() {
        #expect(CSVFormat.milliseconds(-1_500_000) == "-1.500000")
        #expect(CSVFormat.milliseconds(Int64?.none) == "")
        #expect(CSVFormat.number(2.50) == "2.5")
        #expect(CSVFormat.number(.nan) == "")
        #expect(CSVFormat.number(-0.0000001) == "0")
    }
}
