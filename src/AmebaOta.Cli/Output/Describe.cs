using AmebaOta.Families.Ameba1.Boot;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Images;

namespace AmebaOta.Cli.Output;

/// <summary>Turns library objects into the JSON records and text the commands print.</summary>
public static class Describe
{
    public static string Hex(uint value) => $"0x{value:x}";

    public static SketchJson? Sketch(SketchDescriptor? s) => s is null ? null :
        new(s.Version, s.DeviceName, s.Port, s.RecoveryPin, BoardKinds.Id(s.Board), SketchModes.Id(s.Mode), s.AppliesVersion1Settings, s.Ssid, s.Server);

    public static SegmentJson Segment(SegmentHeader h) => new(h.Length, Hex(h.LoadAddress), SignatureName(h.Signature));

    public static string SignatureName(SignatureState s) => s switch
    {
        SignatureState.New => "new",
        SignatureState.Old => "old",
        SignatureState.Unsigned => "unsigned",
        _ => "none",
    };

    public static string SketchLine(SketchDescriptor? s, string? error) =>
        s is null ? error ?? "no sketch descriptor (real ARM code; the virtual board cannot run it)"
        : s.Mode == SketchMode.OtaHttp
            ? $"version {s.Version}, ota-http reporting to {s.Server} (start_ota on TCP 5000), {BoardKinds.Id(s.Board)}, SSID \"{s.Ssid}\""
        : s.Board == BoardKind.Rtl8721d
            ? $"version {s.Version}, OTA_Basic, device name \"{s.DeviceName}\", OTA port {s.Port} (advertised on mDNS as {AmebaOta.Families.AmebaD.AmebaDFamily.AdvertisedPort}), {BoardKinds.Id(s.Board)}, SSID \"{s.Ssid}\""
            : $"version {s.Version}, {SketchModes.Id(s.Mode)}{(s.Server is { } server ? $" pulling from {server}" : "")}, device name \"{s.DeviceName}\", OTA port {s.Port}, " +
              $"recovery pin {s.RecoveryPin}, {BoardKinds.Id(s.Board)}, SSID \"{s.Ssid}\", " +
              (s.AppliesVersion1Settings ? "applies the version-1 settings" : "does not apply the version-1 settings");

    public static BootJson Boot(BootResult r) => new(
        r.Outcome switch
        {
            BootOutcome.Started => "started",
            BootOutcome.NoFirmware => "no-firmware",
            _ => "invalid-image2-signature",
        },
        r.Booted is { } b ? Hex(b.Address) : null,
        r.BootedOtaImage, r.RecoveryForced, r.Reason, r.Log, Sketch(r.Booted?.Body.Sketch));
}
