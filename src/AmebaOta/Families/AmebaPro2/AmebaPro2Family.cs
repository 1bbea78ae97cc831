using AmebaOta.Families.AmebaPro2.Boot;
using AmebaOta.Families.AmebaPro2.Flash;
using AmebaOta.Families.AmebaPro2.Images;
using AmebaOta.Flash;
using AmebaOta.Pins;

namespace AmebaOta.Families.AmebaPro2;

/// <summary>
/// AmebaPro2: RTL8735B, the AMB82-mini (docs/reference section 13). No mDNS and no IDE network upload: boards update
/// by the OTA UI method (heartbeats to a server, <c>start_ota</c> on TCP 5000, a download) or from an SD card. Images are
/// <c>ota.bin</c> (<c>firmware.bin</c> + byte-sum trailer) with a manifest labelled RTL8735B; the 16 MiB flash has a
/// partition table with two firmware slots, and the boot code runs the newer one.
/// </summary>
public sealed class AmebaPro2Family : BoardFamily
{
    internal AmebaPro2Family() { }

    /// <inheritdoc />
    public override string Id => "amebapro2";

    /// <inheritdoc />
    public override string DisplayName => "AmebaPro2 (RTL8735B: AMB82-mini)";

    /// <summary>None: AmebaPro2 boards do not advertise on mDNS.</summary>
    public override IReadOnlyList<string> MdnsBoardIds { get; } = [];

    /// <inheritdoc />
    public override IReadOnlyList<BoardKind> Boards { get; } = [BoardKind.Rtl8735b];

    /// <summary>The label RTL8735B at the start of the file.</summary>
    public override bool Recognises(ReadOnlySpan<byte> file) => Pro2Image.Recognises(file);

    /// <inheritdoc />
    public override IFirmwareImage ParseImage(byte[] bytes) => Pro2Image.Parse(bytes);

    /// <summary>A partition table at 0x1000/0x2000 with FW1's record where the Arduino table puts it.</summary>
    public override bool RecognisesFlash(ReadOnlySpan<byte> chip) => Pro2PartitionTable.IsPresent(chip);

    /// <summary>16 MiB only (the AMB82-mini's part).</summary>
    public override IReadOnlyList<int> ChipSizes { get; } = [Pro2BlankChip.ChipSize];

    /// <inheritdoc />
    public override int DefaultChipSize => Pro2BlankChip.ChipSize;

    /// <summary>A chip with the OTA Mode: Enable table.</summary>
    public override NorFlash CreateBlankChip(int size) => Pro2BlankChip.Create(size, otaMode: true);

    /// <summary>The partition table as the chip has it, and the firmware into FW1 (<see cref="Pro2UsbUpload"/>), as <c>flash dap</c> does.</summary>
    public override void UsbUpload(NorFlash flash, IFirmwareImage image) =>
        Pro2UsbUpload.Write(flash, image as Pro2Image ?? throw new AmebaOta.Images.ImageFormatException($"{image.KindDescription} is not an AmebaPro2 image"));

    /// <inheritdoc />
    public override bool HasOtaModeSetting => true;

    /// <inheritdoc />
    public override NorFlash CreateBlankChip(int size, bool otaMode) => Pro2BlankChip.Create(size, otaMode);

    /// <summary>The AMB82-mini's 128 Mbit part as the OTA code drives it (<see cref="Pro2FlashTiming"/>).</summary>
    public override IReadOnlyList<FlashTiming> FlashTimings => Pro2FlashTiming.Profiles;

    /// <summary>The boot ROM and boot loader's choice between FW1 and FW2 (pins play no part).</summary>
    public override IBootOutcome Boot(NorFlash flash, PinLevels pins) => Pro2BootLoader.Boot(flash);

    /// <summary>The only way AmebaPro2 boards update over the network (the <c>OTA</c> example).</summary>
    public override bool UpdatesByOtaUi => true;

    /// <inheritdoc />
    public override OtaUiCheck CheckOtaUi(IFirmwareImage image, IFirmwareImage? running) => OtaUi.Pro2OtaUi.Check(image, running);

    /// <inheritdoc />
    public override string? OtaUiFailureHint(OtaUiFailure failure) => OtaUi.Pro2OtaUi.FailureHint(failure);

    /// <inheritdoc />
    public override Protocol.Http.SdkHttpHeadRules? OtaUiHeadRules => Protocol.Http.SdkHttpHeadRules.AmebaPro2;
}
