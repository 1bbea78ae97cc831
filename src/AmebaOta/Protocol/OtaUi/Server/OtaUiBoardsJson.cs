using System.Text.Json;
using System.Text.Json.Serialization;

namespace AmebaOta.Protocol.OtaUi.Server;

/// <summary>
/// <c>GET /api/connectedclients</c>: the stock server's <c>recentEntries</c> (boards that beat within 4.5 s, with the
/// stock member names, so a script written for the stock server reads it unchanged), and <c>boards</c>: every board
/// heard from, gone ones included, with what this server knows more.
/// </summary>
public sealed record ConnectedClientsJson(
    [property: JsonPropertyName("recentEntries")] List<RecentEntryJson> RecentEntries,
    [property: JsonPropertyName("boards")] List<OtaUiBoardJson> Boards)
{
    /// <summary>The list as it stands now.</summary>
    public static ConnectedClientsJson From(OtaUiBoards boards) => new(
        [.. boards.BeatWithin(OtaUiBoards.StockWindow).Select(b => new RecentEntryJson(b.Address.ToString(), b.LastBeat.ToUnixTimeMilliseconds(), b.StateText))],
        [.. boards.All().Select(OtaUiBoardJson.From)]);

    /// <summary>The JSON bytes.</summary>
    public byte[] ToUtf8() => JsonSerializer.SerializeToUtf8Bytes(this, OtaUiServerJsonContext.Relaxed.ConnectedClientsJson);
}

/// <summary>One entry of the stock list: address, time of the last heartbeat (ms since 1970), state as sent.</summary>
public sealed record RecentEntryJson(
    [property: JsonPropertyName("ip")] string Ip,
    [property: JsonPropertyName("timestamp")] long Timestamp,
    [property: JsonPropertyName("OTA_state")] string OtaState);

/// <summary>One board as this server knows it.</summary>
public sealed record OtaUiBoardJson(
    [property: JsonPropertyName("ip")] string Ip,
    [property: JsonPropertyName("OTA_state")] string OtaState,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("online")] bool Online,
    [property: JsonPropertyName("firstSeen")] DateTimeOffset FirstSeen,
    [property: JsonPropertyName("lastBeat")] DateTimeOffset LastBeat,
    [property: JsonPropertyName("stateSince")] DateTimeOffset StateSince,
    [property: JsonPropertyName("beats")] long Beats)
{
    /// <summary>The JSON of one board.</summary>
    public static OtaUiBoardJson From(OtaUiBoard b) =>
        new(b.Address.ToString(), b.StateText, OtaUiStateWords.Word(b.State), b.Online, b.FirstSeen, b.LastBeat, b.StateSince, b.Beats);
}

/// <summary>The replies of <c>/api/uploadfile</c>'s POST and DELETE, with the stock member names.</summary>
public sealed record UploadReplyJson(
    [property: JsonPropertyName("success")] bool Success,
    [property: JsonPropertyName("name"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Name = null,
    [property: JsonPropertyName("message"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Message = null)
{
    /// <summary>The JSON bytes.</summary>
    public byte[] ToUtf8() => JsonSerializer.SerializeToUtf8Bytes(this, OtaUiServerJsonContext.Relaxed.UploadReplyJson);
}

/// <summary>The reply to a heartbeat: the stock one, or why it was turned down.</summary>
public sealed record HeartbeatReplyJson([property: JsonPropertyName("message")] string Message)
{
    /// <summary>The JSON bytes.</summary>
    public byte[] ToUtf8() => JsonSerializer.SerializeToUtf8Bytes(this, OtaUiServerJsonContext.Relaxed.HeartbeatReplyJson);
}

[JsonSerializable(typeof(ConnectedClientsJson))]
[JsonSerializable(typeof(UploadReplyJson))]
[JsonSerializable(typeof(HeartbeatReplyJson))]
internal sealed partial class OtaUiServerJsonContext : JsonSerializerContext
{
    /// <summary>Quotes and apostrophes written as they are (messages are read by people and scripts, never put in a page).</summary>
    public static OtaUiServerJsonContext Relaxed { get; } = new(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
