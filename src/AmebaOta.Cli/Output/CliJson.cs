using System.Text.Json;
using System.Text.Json.Serialization;

namespace AmebaOta.Cli.Output;

public sealed record SketchJson(uint Version, string DeviceName, int Port, int RecoveryPin, string Board, string Mode, bool AppliesVersion1Settings, string Ssid,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Server = null);

public sealed record SegmentJson(uint Length, string LoadAddress, string Signature);

public sealed record ImageInfoJson(
    string File, long FileLength, string Kind, int Image2Offset, SegmentJson Image2, string EntryPoint, bool RtkWin,
    SegmentJson? Image3, string Checksum, uint ChecksumDecimal, int TrailingBytes, SketchJson? Sketch, string? SketchError,
    IReadOnlyList<string> Warnings);

/// <summary><c>image info --json</c> of an AmebaD file (<c>family</c> is <c>amebad</c>).</summary>
public sealed record AmebaDImageInfoJson(
    string File, long FileLength, string Family, string Kind, OtaAllHeaderJson? OtaHeader, int ImageOffset, int ImageLength,
    IReadOnlyList<SubImageJson> Km0, string? Km4Offset, IReadOnlyList<SubImageJson> Km4, bool Km0RtkWin, bool Km4RtkWin, string? ImageError,
    string Checksum, bool ChecksumMatchesHeader, string FileChecksum, string Signature, bool FitsBank, int BankSize, long SectorsErased,
    SketchJson? Sketch, string? SketchError, IReadOnlyList<string> Refusals, IReadOnlyList<string> Warnings)
{
    /// <summary>With <c>--server</c>: what that OTA UI server answered a board (absent without it).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public OtaUiServerCheckJson? ServerCheck { get; init; }
}

/// <summary>
/// <c>image info --server URL --json</c>: what the OTA UI server answered a board's <c>GET /api/uploadfile</c>, as sent
/// (<c>statusLine</c>, <c>lengthHeader</c>: the length's header line, spelling and all), and the SDK's verdict:
/// <c>accepted</c> (exit 0), <c>refused</c> (exit 2), <c>unreachable</c> (exit 4), <c>no-answer</c> (no whole head in
/// time, or closed before it: exit 5), with the reason.
/// </summary>
public sealed record OtaUiServerCheckJson(string Server, bool Reachable, string? StatusLine, int? Status, string? LengthHeader, uint? ContentLength,
    string Verdict, bool BoardsWouldDownload, string? Sdk, string Reason);

/// <summary><c>flash boot --json</c> of an AmebaD flash file.</summary>
public sealed record AmebaDBootJson(string Outcome, string? Bank, string? Address, string Reason, IReadOnlyList<string> Log, SketchJson? Sketch, IReadOnlyList<string> Warnings);

public sealed record AmebaDBankJson(string Bank, string Address, string Offset, string Signature, bool Valid, bool Erased, long? Length, SketchJson? Sketch, IReadOnlyList<string> Problems);

/// <summary><c>flash info --json</c> of an AmebaD flash file.</summary>
public sealed record AmebaDFlashInfoJson(string File, int Size, string Family, bool Km0BootImage, bool Km4BootImage, IReadOnlyList<AmebaDBankJson> Banks, AmebaDBootJson Boot);

public sealed record OtaAllHeaderJson(string FwVer, uint HdrNum, string ImgId, uint ImgHdrLen, string Checksum, uint ImgLen, uint Offset, string FlashAddr);

public sealed record SubImageJson(string Offset, string Kind, uint Size, string LoadAddress);

public sealed record FlashImageJson(string Address, string Role, uint Length, string LoadAddress, string Signature, bool RtkWin, string EntryPoint, SegmentJson? Image3, SketchJson? Sketch);

public sealed record RecoveryPinJson(string Raw, bool Used, string? ChipPin, int? ArduinoPin, string? ActiveLevel);

public sealed record BootJson(string Outcome, string? Address, bool FromOta, bool RecoveryForced, string Reason, IReadOnlyList<string> Log, SketchJson? Sketch);

public sealed record FlashInfoJson(
    string File, int Size, bool Image1Header, string DefaultImage2Address, string? OtaAddress, bool OtaAddressUsable,
    IReadOnlyList<RecoveryPinJson> RecoveryPins, IReadOnlyList<FlashImageJson> Images, BootJson BootPinInactive, BootJson? BootPinActive);

/// <summary>
/// <c>upload --json</c>. <c>bytesSent</c> counts image bytes the board acknowledged (<c>acknowledgedByBoard</c> false: where
/// acknowledgements cannot be read, bytes handed to the network); <c>eraseWaitMs</c> is how long the board took before it
/// started taking the image (its erase), when known.
/// </summary>
public sealed record UploadJson(
    string File, string Ip, int Port, long FileBytes, long BytesSent, long WireBytes, string Checksum, uint ChecksumDecimal,
    double ConnectMs, double DurationMs, bool AcknowledgedByBoard, double? EraseWaitMs, double StallTimeoutS,
    IReadOnlyList<string> Warnings, RebootJson? Reboot, string Family, double? BoardClosedMs);

/// <summary>
/// Result of <c>--wait-reboot</c>: whether the board announced itself again after the upload, and when (ms after the
/// upload). <c>rebooted</c> proves that the board took every byte and then rebooted and announced itself, not which image
/// it runs: <see cref="NewImageConfirmed"/> is always false, since a stock board does not tell the host which image it
/// booted, and one that lost power while writing or verifying comes back on its old image just the same.
/// <c>wentDownDuringUpload</c>: it probed or said goodbye before the last byte was acknowledged (a power cut, a reset).
/// </summary>
public sealed record RebootJson(bool Rebooted, double ElapsedMs, bool GoodbyeSeen, bool ProbeSeen, bool WentDownDuringUpload, bool NewImageConfirmed)
{
    public static RebootJson? From(Discovery.RebootResult? r) =>
        r is null ? null : new RebootJson(r.Rebooted, Math.Round(r.Elapsed.TotalMilliseconds, 1), r.GoodbyeSeen, r.ProbeSeen, r.WentDownDuringUpload, NewImageConfirmed: false);
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ImageInfoJson))]
[JsonSerializable(typeof(AmebaDImageInfoJson))]
[JsonSerializable(typeof(AmebaDFlashInfoJson))]
[JsonSerializable(typeof(AmebaDBootJson))]
[JsonSerializable(typeof(FlashInfoJson))]
[JsonSerializable(typeof(BootJson))]
[JsonSerializable(typeof(UploadJson))]
public sealed partial class CliJsonContext : JsonSerializerContext;

public static class JsonOut
{
    public static void Write<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info) =>
        Console.Out.WriteLine(JsonSerializer.Serialize(value, info));
}
