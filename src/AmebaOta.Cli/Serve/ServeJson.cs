using System.Text.Json.Serialization;

namespace AmebaOta.Cli.Serve;

/// <summary>One finished request or connection, as <c>serve --json-log</c> writes it (one object per line).</summary>
public sealed record TransferJson(
    string Event, DateTimeOffset Time, string? Board, int? BoardPort, string Protocol, string Path, int Status, long Bytes, long TotalBytes,
    double DurationMs, bool StayedToTheEnd, string Outcome, string? Fault);

/// <summary>A server event (started, image changed, reload refused) as <c>serve --json-log</c> writes it.</summary>
public sealed record ServeEventJson(string Event, DateTimeOffset Time, string Message, string? Image, uint? Checksum, long? Bytes,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Http = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Tcp = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Token = null);

/// <summary>An OTA UI board appeared, changed state, went quiet or came back, as <c>serve --ota-ui --json-log</c> writes it.</summary>
public sealed record ServeBoardJson(string Event, DateTimeOffset Time, string Message, string Board, string State, bool Online, DateTimeOffset LastBeat, long Beats);

/// <summary>The control endpoint's answer.</summary>
public sealed record ControlJson(bool Ok, string Message, string? Image, uint? Checksum, long? Bytes);

[JsonSourceGenerationOptions(WriteIndented = false, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(TransferJson))]
[JsonSerializable(typeof(ServeEventJson))]
[JsonSerializable(typeof(ControlJson))]
[JsonSerializable(typeof(ServeBoardJson))]
internal sealed partial class ServeJsonContext : JsonSerializerContext;
