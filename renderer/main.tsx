// Placeholder entry written by the desktop-shell engineer so `npm run build` works;
// the UI engineer replaces this file with the real app.
import { createRoot } from 'react-dom/client';

function Placeholder() {
  return <main><h1>Benefits Engagement ETL</h1><p>The UI is on its way.</p></main>;
}

createRoot(document.getElementById('root')!).render(<Placeholder />);
