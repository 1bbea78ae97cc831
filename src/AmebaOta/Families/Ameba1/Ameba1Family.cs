using AmebaOta.Families.Ameba1.Boot;
using AmebaOta.Families.Ameba1.Flash;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Families.Ameba1.Push;
using AmebaOta.Flash;
using AmebaOta.Pins;

namespace AmebaOta.Families.Ameba1;

/// <summary>
/// Ameba1: RTL8195A and RTL8710 boards (docs/reference sections 1–10). Images are Image 2 segments (<c>ota.bin</c>,
/// <c>ram_2.p.bin</c>, <c>ram_all.bin</c>); the boot loader is Image 1; the board takes a push on its OTA port or pulls
/// its update (CloudOTA, the SDK's local and HTTP updates).
/// </summary>
public sealed class Ameba1Family : BoardFamily
{
    /// <summary><c>ameba1</c>.</summary>
    public const string FamilyId = "ameba1";

    internal Ameba1Family() { }

    /// <inheritdoc />
    public override string Id => FamilyId;

    /// <inheritdoc />
    public override string DisplayName => "Ameba1 (RTL8195A, RTL8710)";

    /// <inheritdoc />
    public override IReadOnlyList<string> MdnsBoardIds { get; } = ["ameba_rtl8195a", "ameba_rtl8710"];

    /// <inheritdoc />
    public override IReadOnlyList<BoardKind> Boards { get; } = [BoardKind.Rtl8195a, BoardKind.Rtl8710];

    /// <summary>An Image 1 header (a <c>ram_all.bin</c>), or a segment header signed new, old or not at all.</summary>
    public override bool Recognises(ReadOnlySpan<byte> file) =>
        Image1Header.HasMagic(file) ||
        (file.Length >= SegmentHeader.Size && SegmentHeader.Read(file).Signature != SignatureState.Invalid);

    /// <inheritdoc />
    public override IFirmwareImage ParseImage(byte[] bytes) => ImageFile.Parse(bytes);

    /// <summary>Image 1's magic words at address 0.</summary>
    public override bool RecognisesFlash(ReadOnlySpan<byte> chip) => Image1Header.HasMagic(chip);

    /// <inheritdoc />
    public override IReadOnlyList<int> ChipSizes { get; } = [FlashLayout.OneMiB, FlashLayout.TwoMiB];

    /// <summary>1 MiB: the OTA design assumes it, so one layout serves RTL8195A and RTL8710 alike.</summary>
    public override int DefaultChipSize => FlashLayout.OneMiB;

    /// <inheritdoc />
    public override NorFlash CreateBlankChip(int size) => BlankChip.Create(size);

    /// <summary>DAP: Default Image 2 at 0xB000 signed new, system data erased.</summary>
    public override void UsbUpload(NorFlash flash, IFirmwareImage image) =>
        DapUpload.Write(flash, image as ImageFile ?? throw new AmebaOta.Images.ImageFormatException($"{image.KindDescription} is not an Ameba1 image"));

    /// <summary>Image 1's decision (docs/reference section 4), quirks included.</summary>
    public override IBootOutcome Boot(NorFlash flash, PinLevels pins) => BootLoader.Boot(flash, pins);

    /// <summary><c>OTA.beginLocal</c>'s push (docs/reference sections 6 and 7).</summary>
    public override PushSender Push => _push ??= new Ameba1PushSender(this);

    private PushSender? _push;
}
