using AmebaOta.Families.AmebaD.Boot;
using AmebaOta.Families.AmebaD.Flash;
using AmebaOta.Families.AmebaD.Images;
using AmebaOta.Families.AmebaD.Push;
using AmebaOta.Flash;
using AmebaOta.Pins;

namespace AmebaOta.Families.AmebaD;

/// <summary>
/// AmebaD: RTL8721D-family boards (BW16, AMB21–AMB26, <see cref="AmebaDBoards"/>; docs/reference section 11). Images are
/// <c>km0_km4_image2.bin</c> (the Arduino build output, what a USB upload writes into OTA1) and <c>OTA_All.bin</c> (a
/// 32-byte OTA header in front of it, what a board takes over the air); two banks, OTA1 and OTA2, chosen by signature;
/// the board takes a push on port 8082 while advertising 5000.
/// </summary>
public sealed class AmebaDFamily : BoardFamily
{
    internal AmebaDFamily() { }

    /// <summary>The TXT <c>board=</c> value of every AmebaD board's <c>OTA_Basic</c>.</summary>
    public const string MdnsBoardId = "ameba_rtl8721d";

    /// <summary>The port <c>OTA_Basic</c> advertises on mDNS (the IDE's network port), where nothing listens.</summary>
    public const ushort AdvertisedPort = 5000;

    /// <summary>The port <c>OTA_Basic</c> really listens on (<c>OTA_PORT</c>), which Realtek's upload pattern hard-codes.</summary>
    public const ushort OtaPort = 8082;

    /// <summary>The TXT records of <c>OTA_Basic</c>'s <c>beginMDNSService</c>, in the order it adds them.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> StockTxt { get; } =
    [
        new("board", MdnsBoardId),
        new("auth_upload", "no"),
        new("tcp_check", "no"),
        new("ssh_upload", "no"),
    ];

    /// <inheritdoc />
    public override string Id => "amebad";

    /// <inheritdoc />
    public override string DisplayName => "AmebaD (RTL8721D: BW16, AMB21-AMB26)";

    /// <inheritdoc />
    public override IReadOnlyList<string> MdnsBoardIds { get; } = [MdnsBoardId];

    /// <inheritdoc />
    public override IReadOnlyList<BoardKind> Boards { get; } = [BoardKind.Rtl8721d];

    /// <summary>A file starting with the signature 81958711, or an OTA_All.bin header.</summary>
    public override bool Recognises(ReadOnlySpan<byte> file) => AmebaDImageFile.LooksLikeAmebaD(file);

    /// <inheritdoc />
    public override IFirmwareImage ParseImage(byte[] bytes) => AmebaDImageFile.Parse(bytes);

    /// <summary>The KM0 and KM4 boot images' headers at 0x0 and 0x4000.</summary>
    public override bool RecognisesFlash(ReadOnlySpan<byte> chip) =>
        AmebaDBlankChip.HasBootImage(chip, AmebaDFlashLayout.Km0Boot) && AmebaDBlankChip.HasBootImage(chip, AmebaDFlashLayout.Km4Boot);

    /// <summary>2 MiB: the layout's size (boards with 4 MB parts use the first 2 MB).</summary>
    public override IReadOnlyList<int> ChipSizes { get; } = [AmebaDFlashLayout.ChipSize];

    /// <inheritdoc />
    public override int DefaultChipSize => AmebaDFlashLayout.ChipSize;

    /// <inheritdoc />
    public override NorFlash CreateBlankChip(int size) => AmebaDBlankChip.Create(size);

    /// <summary>The boot images, then the image into OTA1 (<see cref="AmebaDUsbUpload"/>).</summary>
    public override void UsbUpload(NorFlash flash, IFirmwareImage image) =>
        AmebaDUsbUpload.Write(flash, image as AmebaDImageFile ?? throw new AmebaOta.Images.ImageFormatException($"{image.KindDescription} is not an AmebaD image"));

    /// <summary>By signature: OTA2 whenever valid (docs/reference section 11.5). No pin is read.</summary>
    public override IBootOutcome Boot(NorFlash flash, PinLevels pins) => AmebaDBootLoader.Boot(flash);

    /// <summary>The W25Q16JV-class profiles, with the OTA code's 12-byte program commands and word reads.</summary>
    public override IReadOnlyList<FlashTiming> FlashTimings => AmebaDFlashTiming.Profiles;

    /// <summary><c>OTA_Basic</c>'s push on port 8082 (docs/reference sections 11.3 and 11.4).</summary>
    public override PushSender Push => _push ??= new AmebaDPushSender(this);

    /// <inheritdoc />
    public override IFirmwareImage TestImage(uint version, string deviceName) =>
        AmebaDImageFile.Parse(AmebaDImageBuilder.Build(new AmebaDImageBuildOptions(
            new AmebaOta.Images.SketchDescriptor(version, deviceName, OtaPort, RecoveryPin.Unused, BoardKind.Rtl8721d, AmebaOta.Images.SketchMode.Basic))));

    private PushSender? _push;

    /// <summary>Besides the push of <c>OTA_Basic</c>, the <c>OTA_Http</c> example updates by OTA UI.</summary>
    public override bool UpdatesByOtaUi => true;

    /// <inheritdoc />
    public override Protocol.Http.SdkHttpHeadRules? OtaUiHeadRules => Protocol.Http.SdkHttpHeadRules.AmebaD;

    /// <summary>The likeliest cause, by the SDK source: Realtek's own server (docs/reference section 12.4).</summary>
    public override string OtaUiStuckElsewhereHint => base.OtaUiStuckElsewhereHint +
        ". If it was triggered from Realtek's OTA UI page: AmebaD boards cannot take an image from that server, which sends content-length in lower case " +
        "(the AmebaD SDK reads only Content-Length: \"No Content-Length in header\"); reset the board and update it from here";

    /// <summary>The same file checks as a push (the OTA_Http download reads OTA_All.bin as OTA_Basic does).</summary>
    public override OtaUiCheck CheckOtaUi(IFirmwareImage image, IFirmwareImage? running)
    {
        var prepared = Push.Prepare(image);
        return new OtaUiCheck(prepared.Refusals, prepared.Warnings, null);
    }
}
