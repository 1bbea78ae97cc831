using System.Text.Json.Serialization;

namespace AmebaOta.Arduino;

/// <summary>A port as the Arduino pluggable discovery protocol describes it.</summary>
/// <param name="Address">The board's IP address.</param>
/// <param name="Label">How the IDE shows it (<c>MyAmeba at 192.168.1.50</c>).</param>
/// <param name="Protocol"><c>network</c>.</param>
/// <param name="ProtocolLabel"><c>Network Port</c>.</param>
/// <param name="Properties"><c>hostname</c>, <c>port</c>, every TXT pair, and <c>.</c> (the board id again, as mdns-discovery adds it).</param>
public sealed record DiscoveryPort(
    string Address,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Label,
    string Protocol,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ProtocolLabel,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, string>? Properties);

/// <summary>One message from the discovery to the IDE (a reply to a command, or an event).</summary>
internal sealed record DiscoveryMessage(
    string EventType,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Message = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Error = false,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? ProtocolVersion = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<DiscoveryPort>? Ports = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DiscoveryPort? Port = null);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(DiscoveryMessage))]
internal sealed partial class DiscoveryJsonContext : JsonSerializerContext;
