using System.Text;
using System.Text.Json;
using AmebaOta.Protocol.Http;

namespace AmebaOta.Protocol.OtaUi;

/// <summary>
/// The heartbeat an OTA UI board posts about every 3.5 s (docs/reference section 11.2), byte for byte as both libraries
/// send it: <c>wifiClient.println(...)</c> for each line (the text, then <c>\r\n</c> as a second write; the client sets
/// <c>TCP_NODELAY</c>, so each write leaves in its own segment), an empty <c>println()</c>, then the body, which
/// ArduinoJson 7 serialises without spaces: <c>{"OTA_state":"OTA_STATE_IDLE"}</c>. <c>Host</c> is the server string
/// compiled into the sketch, without the port. The board never reads the reply.
/// </summary>
public static class OtaUiHeartbeat
{
    /// <summary>The path boards post to.</summary>
    public const string Path = "/api/connectedclients";

    /// <summary>The JSON key of the state.</summary>
    public const string StateKey = "OTA_state";

    /// <summary>Longest heartbeat head the parser reads before calling the request malformed.</summary>
    public const int MaxHeadBytes = 8 * 1024;

    /// <summary>Longest heartbeat body the parser accepts.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>The body: <c>{"OTA_state":"OTA_STATE_IDLE"}</c>.</summary>
    public static string Body(OtaUiState state) => $"{{\"{StateKey}\":\"{OtaUiStates.Name(state)}\"}}";

    /// <summary>The request's writes in the order the board issues them (twelve: each line's text and its <c>\r\n</c>
    /// separately, the blank line, the body).</summary>
    public static IReadOnlyList<byte[]> Writes(string host, OtaUiState state)
    {
        string body = Body(state);
        string[] lines =
        [
            $"POST {Path} HTTP/1.1",
            $"Host: {host}",
            "Content-Type: application/json",
            $"Content-Length: {Encoding.UTF8.GetByteCount(body)}",
            "Connection: keep-alive",
        ];
        var writes = new List<byte[]>(lines.Length * 2 + 2);
        foreach (var line in lines)
        {
            writes.Add(Encoding.ASCII.GetBytes(line));
            writes.Add("\r\n"u8.ToArray());
        }
        writes.Add("\r\n"u8.ToArray());
        writes.Add(Encoding.UTF8.GetBytes(body));
        return writes;
    }

    /// <summary>The whole request as the server receives it.</summary>
    public static byte[] Request(string host, OtaUiState state) => Writes(host, state).SelectMany(w => w).ToArray();

    /// <summary>
    /// Reads one heartbeat from the start of <paramref name="bytes"/>, tolerantly: any case of header names, spaces around
    /// values, bare <c>\n</c> line ends, extra headers, a missing <c>Host</c>, JSON with spaces, other keys or a state this
    /// version does not know (kept as its raw text). Without <c>Content-Length</c> the body runs to the end of the
    /// connection (<paramref name="connectionClosed"/>). <c>Transfer-Encoding</c> is refused: no board sends it.
    /// </summary>
    public static OtaUiParse TryParseRequest(ReadOnlySpan<byte> bytes, bool connectionClosed, out OtaUiHeartbeatRequest? request, out int consumed, out string? error)
    {
        request = null;
        consumed = 0;
        error = null;
        if (!HttpText.TryFindHeadEnd(bytes, out int headLength, out int bodyStart))
        {
            if (bytes.Length > MaxHeadBytes) return Malformed("the request head is longer than 8 KiB", out error);
            return connectionClosed ? Malformed("the connection closed before the end of the request head", out error) : OtaUiParse.NeedMore;
        }
        var head = HttpText.Lines(bytes[..headLength]);
        var requestLine = head[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (requestLine.Length != 3 || !requestLine[2].StartsWith("HTTP/1.", StringComparison.OrdinalIgnoreCase))
            return Malformed($"not an HTTP/1.x request line: '{Printable(head[0])}'", out error);
        if (!requestLine[0].Equals("POST", StringComparison.OrdinalIgnoreCase))
            return Malformed($"a heartbeat is a POST, not {Printable(requestLine[0])}", out error);
        string target = requestLine[1];
        int query = target.IndexOf('?');
        if (!(query < 0 ? target : target[..query]).Equals(Path, StringComparison.Ordinal))
            return Malformed($"a heartbeat goes to {Path}, not {Printable(target)}", out error);

        string? host = null, contentLength = null;
        foreach (var line in head.Skip(1))
        {
            int colon = line.IndexOf(':');
            if (colon <= 0) continue;
            string name = line[..colon].Trim(), value = line[(colon + 1)..].Trim();
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase)) host = value;
            else if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) contentLength = value;
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
                return Malformed("a chunked heartbeat: no board sends one", out error);
        }

        int bodyLength;
        if (contentLength is null)
        {
            if (!connectionClosed) return OtaUiParse.NeedMore;
            bodyLength = bytes.Length - bodyStart;
        }
        else if (!int.TryParse(contentLength, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out bodyLength))
            return Malformed($"Content-Length is not a number: '{Printable(contentLength)}'", out error);
        if (bodyLength > MaxBodyBytes) return Malformed($"the body is {bodyLength} bytes; a heartbeat is a few dozen", out error);
        if (bytes.Length - bodyStart < bodyLength)
            return connectionClosed ? Malformed($"the body was cut short: {bytes.Length - bodyStart} of {bodyLength} bytes", out error) : OtaUiParse.NeedMore;

        if (!TryParseBody(bytes.Slice(bodyStart, bodyLength), out string? state, out error)) return OtaUiParse.Malformed;
        consumed = bodyStart + bodyLength;
        request = new OtaUiHeartbeatRequest(host, state);
        return OtaUiParse.Parsed;
    }

    /// <summary>
    /// The state in a heartbeat body: the string value of <c>OTA_state</c> in a JSON object (null when the key is missing
    /// or not a string, as the stock server then stores <c>undefined</c>). False, with a reason, when the body is not a
    /// JSON object.
    /// </summary>
    public static bool TryParseBody(ReadOnlySpan<byte> json, out string? state, out string? error)
    {
        state = null;
        error = null;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "the body is not a JSON object";
                return false;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isState = reader.ValueTextEquals(StateKey);
                reader.Read();
                if (isState && reader.TokenType == JsonTokenType.String) state = reader.GetString();
                else reader.Skip();
            }
            if (reader.TokenType != JsonTokenType.EndObject)
            {
                error = "the body is not a JSON object";
                return false;
            }
            return true;
        }
        catch (JsonException e)
        {
            error = $"the body is not JSON ({e.Message.Split('.')[0]})";
            return false;
        }
        catch (InvalidOperationException)
        {
            error = "the body's state is not valid UTF-8";
            return false;
        }
    }

    private static OtaUiParse Malformed(string message, out string? error)
    {
        error = message;
        return OtaUiParse.Malformed;
    }

    private static string Printable(string text) => HttpText.Printable(text);
}

/// <summary>How far <see cref="OtaUiHeartbeat.TryParseRequest"/> got.</summary>
public enum OtaUiParse
{
    /// <summary>The request is not whole yet.</summary>
    NeedMore,
    /// <summary>One heartbeat was read.</summary>
    Parsed,
    /// <summary>The bytes are not a heartbeat (the reason is given).</summary>
    Malformed,
}

/// <summary>One heartbeat as a server reads it: the <c>Host</c> it named and the state it reported.</summary>
public sealed record OtaUiHeartbeatRequest(string? Host, string? RawState)
{
    /// <summary>The state, when it is one of the five the libraries know; null for anything else.</summary>
    public OtaUiState? State => OtaUiStates.TryParse(RawState, out var state) ? state : null;
}
