using System.Text.Json;
using System.Text.Json.Serialization;
using AmebaOta.Discovery;

namespace AmebaOta.Cli.Output;

/// <summary>One discovered board, as <c>discover --json</c> prints it.</summary>
/// <param name="Family">The board's family from its TXT <c>board=</c> (<c>ameba1</c>, <c>amebad</c>; null: unknown).</param>
/// <param name="OtaPort">The port its OTA receiver listens on: <paramref name="Port"/>, except where the stock sketch listens elsewhere (AmebaD: 8082).</param>
public sealed record BoardJson(string Name, string Label, string Host, string Address, int Port, string? Board, string BoardName, Dictionary<string, string?> Txt,
    string? Family, int OtaPort)
{
    public static BoardJson From(DiscoveredService s) => new(
        s.InstanceName, s.Label, s.Host, s.Address.ToString(), s.Port, s.Board, BoardNames.DisplayName(s.Board),
        s.Txt.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.First().Value), s.Family?.Id, s.Family?.Push?.PortFor(s.Port) ?? s.Port);
}

/// <summary>One line of <c>discover --watch --json</c>.</summary>
public sealed record BoardEventJson(string Event, BoardJson Board);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(BoardJson))]
[JsonSerializable(typeof(List<BoardJson>))]
[JsonSerializable(typeof(BoardEventJson))]
public sealed partial class DiscoveryJsonContext : JsonSerializerContext
{
    /// <summary>Same, one line per value (for the watch stream).</summary>
    public static DiscoveryJsonContext Compact { get; } = new(new JsonSerializerOptions { WriteIndented = false, PropertyNamingPolicy = JsonNamingPolicy.CamelCase });
}
