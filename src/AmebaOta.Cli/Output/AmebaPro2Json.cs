using System.Text.Json.Serialization;

namespace AmebaOta.Cli.Output;

public sealed record Pro2FieldJson(string Name, int Id, string Offset, int Length, string Value);

public sealed record Pro2SlotFitJson(string Slot, string Length, bool Fits);

/// <summary><c>image info --json</c> for an AmebaPro2 image.</summary>
public sealed record Pro2ImageInfoJson(
    string File, string Family, long FileLength, string Kind, string Label, int ManifestVersion, string VersionHex, ulong Timestamp, string? BuiltUtc,
    string? TypeId, uint? ImageSize, string? Trailer, string FirmwareChecksum, bool TrailerValid, int Blocks,
    IReadOnlyList<Pro2SlotFitJson> Slots, IReadOnlyList<Pro2FieldJson> Fields, SketchJson? Sketch, string? SketchError, IReadOnlyList<string> Warnings)
{
    /// <summary>With <c>--server</c>: what that OTA UI server answered a board (absent without it).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public OtaUiServerCheckJson? ServerCheck { get; init; }
}

public sealed record Pro2SlotJson(int Index, string Start, string Length, bool Labelled, int? ManifestVersion, ulong? Timestamp, string? BuiltUtc, SketchJson? Sketch, string? Problem);

/// <summary><c>flash boot --json</c> for an AmebaPro2 flash.</summary>
public sealed record Pro2BootJson(string Outcome, int? Slot, string? Address, string Reason, IReadOnlyList<string> Log, SketchJson? Sketch);

/// <summary><c>flash info --json</c> for an AmebaPro2 flash.</summary>
public sealed record Pro2FlashInfoJson(string File, string Family, int Size, bool PartitionTable, bool? OtaMode, Pro2SlotJson? Fw1, Pro2SlotJson? Fw2, Pro2BootJson Boot);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(Pro2ImageInfoJson))]
[JsonSerializable(typeof(Pro2FlashInfoJson))]
[JsonSerializable(typeof(Pro2BootJson))]
public sealed partial class Pro2JsonContext : JsonSerializerContext;
