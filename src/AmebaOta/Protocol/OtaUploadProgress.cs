namespace AmebaOta.Protocol;

/// <summary>Where an upload stands, as the host can tell it.</summary>
public enum OtaUploadPhase
{
    /// <summary>Connected; the board has taken the header and is erasing its OTA region, reading nothing.</summary>
    BoardErasing,
    /// <summary>The board is taking image bytes.</summary>
    Transferring,
    /// <summary>The board has acknowledged every byte (or, where acknowledgements cannot be read, every byte was handed to the network).</summary>
    Complete,
}

/// <summary>
/// One progress report. <see cref="Acknowledged"/> counts image bytes (not the header) the board has acknowledged;
/// <see cref="Handed"/> counts those handed to the host's network stack, which may be far ahead.
/// </summary>
public readonly record struct OtaUploadProgress(OtaUploadPhase Phase, long Acknowledged, long Handed, long Total);
