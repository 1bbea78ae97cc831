namespace AmebaOta.Families.Ameba1.Boot;

/// <summary>How a boot ended.</summary>
public enum BootOutcome
{
    /// <summary>Image 2 started (<c>===== Enter Image 2 ====</c>).</summary>
    Started,
    /// <summary>Neither a new nor an old image: <c>Fatal:no fw</c>.</summary>
    NoFirmware,
    /// <summary>The chosen body lacks <c>RTKWin</c>: <c>Invalid Image2 Signature</c>.</summary>
    InvalidImage2Signature,
}
