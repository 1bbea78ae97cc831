namespace AmebaOta.Flash;

/// <summary>What a flash operation does.</summary>
public enum FlashOperationKind
{
    /// <summary>A 4 KiB sector erase (all bytes to 0xFF).</summary>
    Erase,
    /// <summary>A program (bits cleared from 1 to 0).</summary>
    Program,
}

/// <summary>One erase or program performed on the flash, as reported to <see cref="NorFlash.OperationCompleted"/>.</summary>
public readonly record struct FlashOperation(long Number, FlashOperationKind Kind, uint Address, int Length);
