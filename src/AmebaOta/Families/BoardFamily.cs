using AmebaOta.Flash;
using AmebaOta.Pins;

namespace AmebaOta.Families;

/// <summary>
/// One family of Ameba chips (Ameba1, AmebaD, AmebaPro2) as the rest of the tree sees it: its name, how its files and
/// its boards are recognised, and its image parser. Everything else that differs between families (image formats,
/// flash layout, boot decision, receivers, senders, flash timing, serial strings) lives in the family's own folder beside
/// this one; what they share (the NOR flash model, acknowledged-byte accounting, mDNS, HTTP heads, history) stays shared.
/// </summary>
public abstract class BoardFamily
{
    /// <summary>The id users type and records keep: <c>ameba1</c>, <c>amebad</c>, <c>amebapro2</c>.</summary>
    public abstract string Id { get; }

    /// <summary>For people: <c>Ameba1 (RTL8195A, RTL8710)</c>.</summary>
    public abstract string DisplayName { get; }

    /// <summary>The TXT <c>board=</c> values this family's boards advertise on mDNS (none: the family has no mDNS).</summary>
    public abstract IReadOnlyList<string> MdnsBoardIds { get; }

    /// <summary>The board models of the family, as <see cref="BoardKind"/> values.</summary>
    public abstract IReadOnlyList<BoardKind> Boards { get; }

    /// <summary>True when <paramref name="file"/> is laid out in one of this family's image formats (its first bytes
    /// say so); the parser may still find it damaged.</summary>
    public abstract bool Recognises(ReadOnlySpan<byte> file);

    /// <summary>Parses one of the family's image files held in memory; a damaged file throws
    /// <see cref="Images.ImageFormatException"/> and nothing else.</summary>
    public abstract IFirmwareImage ParseImage(byte[] bytes);

    /// <summary>True when a whole-chip dump looks like one of this family's boards (its boot code's header is where the
    /// family puts it). A blank chip is nobody's.</summary>
    public abstract bool RecognisesFlash(ReadOnlySpan<byte> chip);

    /// <summary>The chip sizes the family's boards have, smallest first; a flash file must be one of them.</summary>
    public abstract IReadOnlyList<int> ChipSizes { get; }

    /// <summary>The chip size <c>flash create</c> makes unless told.</summary>
    public abstract int DefaultChipSize { get; }

    /// <summary>A factory-fresh chip of <paramref name="size"/> bytes as the family's boards leave the factory (boot code in place, no application).</summary>
    public abstract NorFlash CreateBlankChip(int size);

    /// <summary>
    /// Writes <paramref name="image"/> (one of this family's images) into <paramref name="flash"/> as the family's USB
    /// upload does (Ameba1: DAP, Default Image 2 at 0xB000; AmebaD: the boot images and OTA1). An image of another family,
    /// or one that does not fit, is refused with an <see cref="Images.ImageFormatException"/>.
    /// </summary>
    public virtual void UsbUpload(NorFlash flash, IFirmwareImage image) =>
        throw new Images.ImageFormatException($"a virtual {DisplayName} board cannot be written by USB upload in this version");

    /// <summary>
    /// True when the family's boards are built with an Arduino "OTA Mode" menu that changes the flash layout (AmebaPro2:
    /// Enable gives two 4 MiB firmware slots, Disable a 64 KiB second slot).
    /// </summary>
    public virtual bool HasOtaModeSetting => false;

    /// <summary>A factory-fresh chip laid out for the board menu's OTA Mode (families without the setting ignore it).</summary>
    public virtual NorFlash CreateBlankChip(int size, bool otaMode) => CreateBlankChip(size);

    /// <summary>Runs the family's boot code on <paramref name="flash"/> with the pins at <paramref name="pins"/>: the image chosen and the serial log.</summary>
    public abstract IBootOutcome Boot(NorFlash flash, PinLevels pins);

    /// <summary>
    /// The family's basic OTA example as a test image (what <c>image make --family</c> writes by default): version
    /// <paramref name="version"/>, advertising <paramref name="deviceName"/>. Null when this version cannot make one.
    /// </summary>
    public virtual IFirmwareImage? TestImage(uint version, string deviceName) => null;

    /// <summary>How the host pushes an image to the family's boards over TCP (null: they take no push).</summary>
    public virtual PushSender? Push => null;

    /// <summary>
    /// The flash timing profiles of the family's flash parts, by the names <c>--flash-timing</c> takes (<c>instant</c>,
    /// <c>typical</c>, <c>slow</c>): each family's datasheet values and the way its OTA code drives the part.
    /// </summary>
    public virtual IReadOnlyList<FlashTiming> FlashTimings => FlashTiming.Profiles;

    /// <summary>The family's profile called <paramref name="name"/> (case-insensitive), or null.</summary>
    public FlashTiming? FindFlashTiming(string name) =>
        FlashTimings.FirstOrDefault(p => string.Equals(p.Name, name.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>True when the family's boards can take an update by Realtek's "OTA UI" method (a heartbeat to a server, a
    /// <c>start_ota</c> trigger, the image pulled from <c>/api/uploadfile</c>): AmebaD's <c>OTA_Http</c> and AmebaPro2's <c>OTA</c>.</summary>
    public virtual bool UpdatesByOtaUi => false;

    /// <summary>
    /// For an update by OTA UI: what must be checked before a board is triggered to download <paramref name="image"/>,
    /// given the image it is believed to run (<paramref name="running"/>, from the history; null: unknown).
    /// </summary>
    public virtual OtaUiCheck CheckOtaUi(IFirmwareImage image, IFirmwareImage? running) => OtaUiCheck.None;

    /// <summary>One sentence when a failed OTA UI update points to something about the board itself (null: nothing to add).</summary>
    public virtual string? OtaUiFailureHint(OtaUiFailure failure) => null;

    /// <summary>How the family's OTA UI download reads a response head (its SDK's <c>parse_http_response</c>; null: no OTA UI).</summary>
    public virtual Protocol.Http.SdkHttpHeadRules? OtaUiHeadRules => null;

    /// <summary>
    /// One sentence for a board of the family that reports COMPLETED though it downloaded nothing from this server: an
    /// update started elsewhere failed (docs/reference section 12.5).
    /// </summary>
    public virtual string OtaUiStuckElsewhereHint =>
        "it reports COMPLETED without having downloaded from this server: an update started elsewhere failed, and it ignores triggers until it is reset (its old firmware still runs)";

    /// <inheritdoc />
    public override string ToString() => Id;
}
