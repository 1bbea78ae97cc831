using System.Text;
using AmebaOta.Protocol.Http;
using AmebaOta.Protocol.OtaUi;

namespace AmebaOta.Tests.Protocol.OtaUi;

/// <summary>The OTA UI wire format byte for byte (docs/reference section 11.2): what boards send, and how servers and boards read each other.</summary>
public sealed class OtaUiProtocolTests
{
    [Fact]
    public void The_heartbeat_is_byte_for_byte_what_the_libraries_send()
    {
        var request = Encoding.ASCII.GetString(OtaUiHeartbeat.Request("192.168.3.14", OtaUiState.Idle));
        Assert.Equal(
            "POST /api/connectedclients HTTP/1.1\r\n" +
            "Host: 192.168.3.14\r\n" +
            "Content-Type: application/json\r\n" +
            "Content-Length: 30\r\n" +
            "Connection: keep-alive\r\n" +
            "\r\n" +
            "{\"OTA_state\":\"OTA_STATE_IDLE\"}", request);
    }

    [Fact]
    public void Each_line_and_its_line_break_are_separate_writes_as_println_does()
    {
        var writes = OtaUiHeartbeat.Writes("10.0.0.1", OtaUiState.DownloadFirmwareInProgress).Select(w => Encoding.ASCII.GetString(w)).ToArray();
        Assert.Equal(12, writes.Length);
        Assert.Equal("POST /api/connectedclients HTTP/1.1", writes[0]);
        Assert.Equal("\r\n", writes[1]);
        Assert.Equal("Content-Length: 55", writes[6]);
        Assert.Equal("\r\n", writes[10]);
        Assert.Equal("{\"OTA_state\":\"OTA_STATE_DOWNLOAD_FIRMWARE_IN_PROGRESS\"}", writes[11]);
    }

    [Theory]
    [InlineData(OtaUiState.Idle, "OTA_STATE_IDLE")]
    [InlineData(OtaUiState.ReceivedStartSignal, "OTA_STATE_RECEIVED_START_SIGNAL")]
    [InlineData(OtaUiState.DownloadFirmwareInProgress, "OTA_STATE_DOWNLOAD_FIRMWARE_IN_PROGRESS")]
    [InlineData(OtaUiState.DownloadFirmwareCompleted, "OTA_STATE_DOWNLOAD_FIRMWARE_COMPLETED")]
    [InlineData(OtaUiState.Reboot, "OTA_STATE_REBOOT")]
    public void States_have_the_libraries_names_and_parse_back(OtaUiState state, string name)
    {
        Assert.Equal(name, OtaUiStates.Name(state));
        Assert.True(OtaUiStates.TryParse(name, out var parsed));
        Assert.Equal(state, parsed);
        Assert.False(OtaUiStates.TryParse(name.ToLowerInvariant(), out _));
    }

    [Fact]
    public void A_server_reads_the_boards_heartbeat_and_says_how_much_it_used()
    {
        var request = OtaUiHeartbeat.Request("192.168.3.14", OtaUiState.DownloadFirmwareCompleted);
        var withNext = request.Concat("POST"u8.ToArray()).ToArray();
        Assert.Equal(OtaUiParse.Parsed, OtaUiHeartbeat.TryParseRequest(withNext, false, out var heartbeat, out int consumed, out _));
        Assert.Equal(request.Length, consumed);
        Assert.Equal("192.168.3.14", heartbeat!.Host);
        Assert.Equal(OtaUiState.DownloadFirmwareCompleted, heartbeat.State);
    }

    [Fact]
    public void The_parser_waits_for_a_heartbeat_that_comes_in_pieces()
    {
        var request = OtaUiHeartbeat.Request("h", OtaUiState.Idle);
        for (int cut = 0; cut < request.Length; cut++)
            Assert.Equal(OtaUiParse.NeedMore, OtaUiHeartbeat.TryParseRequest(request.AsSpan(0, cut), false, out _, out _, out _));
        Assert.Equal(OtaUiParse.Malformed, OtaUiHeartbeat.TryParseRequest(request.AsSpan(0, request.Length - 1), true, out _, out _, out string? error));
        Assert.Contains("cut short", error);
    }

    [Fact]
    public void The_parser_is_tolerant_of_what_other_clients_send()
    {
        var text = "post /api/connectedclients?x=1 HTTP/1.0\ncontent-length:  57 \nX-Other: y\n\n{ \"other\": [1, {\"a\": 2}], \"OTA_state\" : \"OTA_STATE_NEW\" }";
        var bytes = Encoding.ASCII.GetBytes(text);
        Assert.Equal(OtaUiParse.Parsed, OtaUiHeartbeat.TryParseRequest(bytes, false, out var heartbeat, out int consumed, out string? error));
        Assert.Null(error);
        Assert.Equal(bytes.Length, consumed);
        Assert.Null(heartbeat!.Host);
        Assert.Equal("OTA_STATE_NEW", heartbeat.RawState);
        Assert.Null(heartbeat.State);
    }

    [Theory]
    [InlineData("GET /api/connectedclients HTTP/1.1\r\n\r\n", "a heartbeat is a POST")]
    [InlineData("POST /api/uploadfile HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}", "goes to /api/connectedclients")]
    [InlineData("POST /api/connectedclients HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", "not JSON")]
    [InlineData("POST /api/connectedclients HTTP/1.1\r\nContent-Length: 2\r\n\r\n[]", "not a JSON object")]
    [InlineData("POST /api/connectedclients HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", "chunked")]
    [InlineData("POST /api/connectedclients HTTP/1.1\r\nContent-Length: x\r\n\r\n", "not a number")]
    [InlineData("hello\r\n\r\n", "not an HTTP/1.x request line")]
    public void Anything_else_is_malformed_with_a_reason(string text, string reason)
    {
        Assert.Equal(OtaUiParse.Malformed, OtaUiHeartbeat.TryParseRequest(Encoding.ASCII.GetBytes(text), true, out _, out _, out string? error));
        Assert.Contains(reason, error);
    }

    [Fact]
    public void A_missing_state_is_null_as_the_stock_server_stores_undefined()
    {
        Assert.True(OtaUiHeartbeat.TryParseBody("{\"OTA_state\":3}"u8, out string? state, out _));
        Assert.Null(state);
        Assert.True(OtaUiHeartbeat.TryParseBody("{}"u8, out state, out _));
        Assert.Null(state);
    }

    [Theory]
    [InlineData("start_ota", true)]
    [InlineData("POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\nstart_ota", true)]
    [InlineData("START_OTA", false)]
    [InlineData("start_ot", false)]
    [InlineData("x\0start_ota", false)]
    public void The_trigger_is_found_as_strstr_finds_it(string read, bool found) =>
        Assert.Equal(found, OtaUiTrigger.Contains(Encoding.ASCII.GetBytes(read)));

    [Fact]
    public void The_download_request_is_exactly_the_sdks()
    {
        Assert.Equal("GET /api/uploadfile HTTP/1.1\r\nHost: 192.168.3.14\r\n\r\n", Encoding.ASCII.GetString(OtaUiDownload.Request("192.168.3.14")));
        Assert.Equal(5000, OtaUiTrigger.Port);
    }

    [Theory]
    [InlineData("Content-Length", true, true)]
    [InlineData("CONTENT-LENGTH", true, true)]
    [InlineData("content-length", false, true)]
    [InlineData("Content-length", false, false)]
    public void Each_family_accepts_only_its_sdks_spellings_of_content_length(string name, bool amebaD, bool pro2)
    {
        var head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\n{name}: 1234\r\nContent-Type: application/octet-stream\r\n\r\n");
        var d = OtaUiDownload.HeadRules(OtaUiFamily.AmebaD).Check(head);
        var p = OtaUiDownload.HeadRules(OtaUiFamily.AmebaPro2).Check(head);
        Assert.Equal(amebaD, d.Accepted);
        Assert.Equal(pro2, p.Accepted);
        if (pro2) Assert.Equal(1234u, p.ContentLength);
        if (!amebaD) Assert.Contains("no line starting with CONTENT-LENGTH or Content-Length", d.Reason);
    }

    [Theory]
    [InlineData("HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\n", "status 404")]
    [InlineData("HTTP/1.1 200\r\nContent-Length: 9\r\n\r\n", "no status code")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "no line starting with")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", "Content-Length is 0")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1234567890123\r\n\r\n", "longer than 12")]
    public void Pro2_refuses_what_its_sdk_refuses(string head, string reason)
    {
        var verdict = SdkHttpHeadRules.AmebaPro2.Check(Encoding.ASCII.GetBytes(head));
        Assert.False(verdict.Accepted);
        Assert.Contains(reason, verdict.Reason);
    }

    [Fact]
    public void A_302_is_followed_to_the_url_the_sdk_reads_including_the_following_lines()
    {
        var head = "HTTP/1.1 302 Found\r\nLocation: http://10.0.0.2:3000/api/uploadfile\r\nContent-Length: 0\r\n\r\n";
        var lines = new List<string>();
        var parser = new SdkHttpResponseParser(SdkHttpHeadRules.AmebaPro2, lines.Add);
        var buffer = new byte[head.Length + SdkHttpResponseParser.LookAhead];
        Encoding.ASCII.GetBytes(head).CopyTo(buffer, 0);
        Assert.Equal(-1, parser.Parse(buffer, head.Length));
        Assert.Equal(new SdkRedirect("10.0.0.2", 3000, "api/uploadfile\r\nContent-Length: 0\r\n\r\n"), parser.Redirect);
        Assert.Contains("server: 10.0.0.2\n\r", lines);
        Assert.Contains("port: 3000\n\r", lines);
        Assert.Null(new SdkHttpResponseParser(SdkHttpHeadRules.Ameba1, _ => { }).Redirect);
    }
}
