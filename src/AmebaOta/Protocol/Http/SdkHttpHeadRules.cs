namespace AmebaOta.Protocol.Http;

/// <summary>
/// What one of Realtek's SDKs accepts in an HTTP response head, in its <c>parse_http_response</c> (docs/reference
/// sections 10 and 12.4). They share the code and differ in three places: which spellings of <c>Content-Length</c> a line
/// must start with (byte for byte), whether a 302 is followed, and whether an over-long length value is refused (AmebaPro2)
/// or overflows its 12-byte buffer (the others).
/// </summary>
public sealed record SdkHttpHeadRules(string Sdk, IReadOnlyList<string> ContentLengthNames, bool FollowsRedirect, bool RefusesLongLength, int FirstReadBytes)
{
    /// <summary>Ameba1's <c>ota_8195a.c</c>: <c>Content-Length</c> or <c>CONTENT-LENGTH</c>, no redirects, 512-byte reads.</summary>
    public static SdkHttpHeadRules Ameba1 { get; } = new("the Ameba1 SDK", ["CONTENT-LENGTH", "Content-Length"], FollowsRedirect: false, RefusesLongLength: false, 512);

    /// <summary>AmebaD's <c>rtl8721d_ota.c</c>: <c>Content-Length</c> or <c>CONTENT-LENGTH</c>, 302 followed, 512-byte reads.</summary>
    public static SdkHttpHeadRules AmebaD { get; } = new("the AmebaD SDK", ["CONTENT-LENGTH", "Content-Length"], FollowsRedirect: true, RefusesLongLength: false, 512);

    /// <summary>AmebaPro2's <c>ota_8735b.c</c>: also <c>content-length</c>, 302 followed, 4 KiB reads.</summary>
    public static SdkHttpHeadRules AmebaPro2 { get; } = new("the AmebaPro2 SDK", ["CONTENT-LENGTH", "Content-Length", "content-length"], FollowsRedirect: true, RefusesLongLength: true, 4096);

    /// <summary>
    /// Whether a board with these rules accepts <paramref name="response"/> (the start of a response, as its first read
    /// would get it): the status, the body length it would download, or why it stops. Nothing is printed.
    /// </summary>
    public SdkHeadVerdict Check(ReadOnlySpan<byte> response)
    {
        var lines = new List<string>();
        var parser = new SdkHttpResponseParser(this, lines.Add);
        int length = Math.Min(response.Length, FirstReadBytes);
        var buffer = new byte[length + SdkHttpResponseParser.LookAhead];
        response[..length].CopyTo(buffer);
        int status = parser.Parse(buffer, length);
        string printed = string.Concat(lines).Trim();
        if (parser.Redirect is { } redirect)
            return new SdkHeadVerdict(false, 302, null, redirect, $"302: {Sdk} follows it to {redirect.Host} port {redirect.Port}, resource '{HttpText.Printable(redirect.Resource)}'");
        if (status == -1)
        {
            string reason = parser.StatusCode is 0 ? "no status code between the first two spaces (a status line without a reason phrase?)"
                : parser.StatusCode != 200 ? $"status {parser.StatusCode}: {Sdk} downloads only on 200"
                : printed.Contains("No Content-Length", StringComparison.Ordinal) ? $"no line starting with {string.Join(" or ", ContentLengthNames)}: {Sdk} reads no other spelling"
                : "the Content-Length value is longer than 12 characters";
            return new SdkHeadVerdict(false, parser.StatusCode == 0 ? null : (int)parser.StatusCode, null, null, reason);
        }
        if (status != 4)
            return new SdkHeadVerdict(false, (int)parser.StatusCode, parser.ParseStatus >= 2 ? parser.BodyLength : null, null,
                $"the head does not end within the first {FirstReadBytes} bytes ({Sdk} reads on, keeping only the last {SdkHttpResponseParser.HeaderBackupLength})");
        if (parser.BodyLength == 0)
            return new SdkHeadVerdict(false, 200, 0, null, $"Content-Length is 0 (or not a number): {Sdk} stops with 'New firmware size = 0 !'");
        return new SdkHeadVerdict(true, 200, parser.BodyLength, null, $"accepted: {parser.BodyLength} bytes to download");
    }
}

/// <summary>What <see cref="SdkHttpHeadRules.Check"/> found: accepted or not, the status and length the board read, a redirect, and one sentence.</summary>
public sealed record SdkHeadVerdict(bool Accepted, int? Status, uint? ContentLength, SdkRedirect? Redirect, string Reason);

/// <summary>Where a 302 sends the board, as the SDK's <c>parser_url</c> reads the <c>Location</c> (quirks and all).</summary>
public sealed record SdkRedirect(string Host, int Port, string Resource);
